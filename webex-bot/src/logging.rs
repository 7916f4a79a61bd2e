//! Logging that keeps secrets out of the log.
//!
//! The bot logs through the [`log`] facade and never writes its token or webhook secret,
//! at any level. One dependency does: at trace level, `ureq_proto` (the HTTP client's
//! protocol crate) dumps every byte it sends and receives, the `Authorization: Bearer`
//! header included. [`init`] sets up `env_logger` from `RUST_LOG` with that target capped at
//! debug, whatever `RUST_LOG` says; a program with its own logger should drop those records
//! with [`is_safe`]. A bot that starts with them enabled logs a warning saying so.
//!
//! ```
//! // In `main`, instead of `env_logger::init()`:
//! webex_bot::logging::init();
//! log::info!("started");
//! ```

use log::{Level, Metadata};

/// Targets whose records carry raw wire bytes at trace level: requests with their
/// `Authorization` header, webhook bodies, websocket frames (the first holds the token).
/// [`init`] caps them at debug.
///
/// ```
/// assert!(webex_bot::logging::WIRE_TARGETS.contains(&"ureq_proto"));
/// ```
pub const WIRE_TARGETS: &[&str] = &["ureq_proto", "tungstenite"];

/// Whether a record may be written without risk of a secret in it: false for trace records
/// of the [`WIRE_TARGETS`]. For a logger of one's own: skip records for which it is false.
///
/// ```
/// use log::{Level, Metadata};
/// use webex_bot::logging::is_safe;
/// let wire = Metadata::builder().level(Level::Trace).target("ureq_proto::util").build();
/// assert!(!is_safe(&wire));
/// let ours = Metadata::builder().level(Level::Trace).target("webex_bot::bot").build();
/// assert!(is_safe(&ours));
/// ```
pub fn is_safe(metadata: &Metadata) -> bool {
    metadata.level() < Level::Trace || !WIRE_TARGETS.iter().any(|t| is_in(metadata.target(), t))
}

fn is_in(target: &str, module: &str) -> bool {
    target == module
        || target
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// Warns once, at start, when the installed logger would write the wire dumps of
/// [`WIRE_TARGETS`] (the token would be in them).
pub(crate) fn warn_if_wire_is_logged() {
    for target in WIRE_TARGETS {
        if log::log_enabled!(target: target, Level::Trace) {
            log::warn!(
                "trace logging is on for `{target}`, which writes every byte sent, the access \
                 token included: cap it (RUST_LOG=trace,{target}=debug) or set up logging with \
                 webex_bot::logging::init()"
            );
        }
    }
}

/// An `env_logger` builder configured from `RUST_LOG` (default `info`), with the
/// [`WIRE_TARGETS`] capped at debug, for changes before `init()`.
///
/// ```
/// let mut builder = webex_bot::logging::builder();
/// builder.format_timestamp_millis();
/// // builder.init();
/// ```
#[cfg(feature = "logging")]
pub fn builder() -> env_logger::Builder {
    let spec = std::env::var("RUST_LOG").unwrap_or_default();
    let mut b = env_logger::Builder::new();
    b.filter_level(log::LevelFilter::Info);
    b.parse_filters(&spec);
    // After RUST_LOG: a directive for the same module replaces the one it gave.
    for target in WIRE_TARGETS {
        b.filter_module(
            target,
            level_for(&spec, target).min(log::LevelFilter::Debug),
        );
    }
    b
}

/// The level `spec` (`RUST_LOG`'s syntax) gives `target`: its most specific module
/// directive, else its bare level, else `info`.
#[cfg(feature = "logging")]
fn level_for(spec: &str, target: &str) -> log::LevelFilter {
    let mut default = log::LevelFilter::Info;
    let mut best: Option<(usize, log::LevelFilter)> = None;
    for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        match directive.split_once('=') {
            None => match directive.parse() {
                Ok(level) => default = level,
                // A bare module name turns it on at every level.
                Err(_) if is_in(target, directive) => {
                    best = Some((directive.len(), log::LevelFilter::Trace));
                }
                Err(_) => {}
            },
            Some((module, level)) if is_in(target, module) => {
                if let Ok(level) = level.parse()
                    && best.is_none_or(|(len, _)| module.len() >= len)
                {
                    best = Some((module.len(), level));
                }
            }
            Some(_) => {}
        }
    }
    best.map_or(default, |(_, level)| level)
}

/// Installs an `env_logger` configured by [`builder`]: `RUST_LOG` as usual (default
/// `info`), the [`WIRE_TARGETS`] never above debug. Does nothing if a logger is already
/// installed.
///
/// ```
/// webex_bot::logging::init();
/// webex_bot::logging::init(); // a second call is harmless
/// ```
#[cfg(feature = "logging")]
pub fn init() {
    let _ = builder().try_init();
}

#[cfg(all(test, feature = "logging"))]
mod tests {
    use super::*;
    use log::LevelFilter::{Debug, Info, Off, Trace, Warn};

    #[test]
    fn rust_log_is_read_as_env_logger_reads_it() {
        assert_eq!(level_for("", "ureq_proto"), Info);
        assert_eq!(level_for("trace", "ureq_proto"), Trace);
        assert_eq!(level_for("trace,ureq_proto=warn", "ureq_proto"), Warn);
        assert_eq!(level_for("ureq=trace", "ureq_proto"), Info);
        assert_eq!(level_for("ureq_proto", "ureq_proto"), Trace);
        assert_eq!(level_for("ureq_proto=off,debug", "ureq_proto"), Off);
        assert_eq!(level_for("ureq_proto::util=trace", "ureq_proto"), Info);
        assert_eq!(level_for("debug", "ureq_proto"), Debug);
    }

    #[test]
    fn wire_targets_and_their_modules_are_unsafe_at_trace_only() {
        let m = |level, target| Metadata::builder().level(level).target(target).build();
        assert!(!is_safe(&m(Level::Trace, "ureq_proto")));
        assert!(!is_safe(&m(Level::Trace, "ureq_proto::client::recvresp")));
        assert!(is_safe(&m(Level::Debug, "ureq_proto::util")));
        assert!(is_safe(&m(Level::Trace, "ureq_protocol")));
        assert!(is_safe(&m(Level::Trace, "ureq")));
    }
}
