//! What every subcommand that talks to Webex shares: the API (`--base-url`, `--fedramp`,
//! `WEBEX_BASE_URL`, else the commercial one), the token to act with (`--token-file`,
//! else `WEBEX_ACCESS_TOKEN`, else `WEBEX_ACCESS_TOKEN_FILE`), and where it came from.
//!
//! ```
//! use webex_bot_cli::session::base_url;
//! assert_eq!(base_url(Some("http://127.0.0.1:8900/v1/"), false).unwrap(), "http://127.0.0.1:8900/v1");
//! assert_eq!(base_url(None, true).unwrap(), webex_bot::client::FEDRAMP_BASE_URL);
//! ```

use std::path::{Path, PathBuf};

use webex_bot::Client;
use webex_bot::Secret;
use webex_bot::tokens::{self, FoundToken, Key, TokenSource};

use crate::output::Failure;

/// The API to talk to: `flag` (`--base-url`), else FedRAMP's with `fedramp`, else
/// `WEBEX_BASE_URL`, else the commercial API.
///
/// ```
/// # use webex_bot_cli::session::base_url;
/// assert!(base_url(Some("x"), true).is_err(), "both is a mistake");
/// ```
pub fn base_url(flag: Option<&str>, fedramp: bool) -> Result<String, Failure> {
    let env = std::env::var("WEBEX_BASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let url = match (flag, fedramp) {
        (Some(_), true) => {
            return Err(Failure::usage("give --base-url or --fedramp, not both"));
        }
        (Some(u), false) => u.to_owned(),
        (None, true) => webex_bot::client::FEDRAMP_BASE_URL.to_owned(),
        (None, false) => env.unwrap_or_else(|| webex_bot::client::COMMERCIAL_BASE_URL.to_owned()),
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Failure::usage(format!(
            "the base URL {url:?} is not an http(s) URL"
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The key for encrypted token files from the environment: `WEBEX_TOKEN_PASSPHRASE`, else
/// the identity file `WEBEX_TOKEN_KEY_FILE`.
///
/// ```
/// // With neither variable set there is no key.
/// # unsafe { std::env::remove_var("WEBEX_TOKEN_PASSPHRASE"); std::env::remove_var("WEBEX_TOKEN_KEY_FILE"); }
/// assert!(webex_bot_cli::session::key_from_env().is_none());
/// ```
pub fn key_from_env() -> Option<Key> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    match (var("WEBEX_TOKEN_PASSPHRASE"), var("WEBEX_TOKEN_KEY_FILE")) {
        (Some(p), _) => Some(Key::Passphrase(Secret::new(p))),
        (None, Some(k)) => Some(Key::KeyFile(PathBuf::from(k))),
        (None, None) => None,
    }
}

/// The token to act with: the file `token_file` when given (opened with the key from the
/// environment when encrypted), else what [`tokens::token_from_env`] finds.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("cli-session-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("token");
/// webex_bot::tokens::write_token_file(&path, b"t").unwrap();
/// let found = webex_bot_cli::session::token(Some(&path)).unwrap();
/// assert_eq!(found.token.expose(), "t");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn token(token_file: Option<&Path>) -> Result<FoundToken, Failure> {
    let found = match token_file {
        Some(path) => tokens::open_token_file(path, key_from_env().as_ref())
            .map(|(token, source)| FoundToken { token, source }),
        None => tokens::token_from_env(),
    };
    found.map_err(|e| Failure::usage(format!("no token to act with: {e}")))
}

/// A client for `base_url` acting with `token`.
///
/// ```
/// let c = webex_bot_cli::session::client("http://127.0.0.1:9/v1", &webex_bot::Secret::new("t")).unwrap();
/// assert_eq!(c.base_url(), "http://127.0.0.1:9/v1");
/// ```
pub fn client(base_url: &str, token: &Secret) -> Result<Client, Failure> {
    Client::builder()
        .token(token.expose())
        .base_url(base_url)
        .build()
        .map_err(|e| Failure::usage(format!("cannot make a client for {base_url}: {e}")))
}

/// Where a token was found, for output: `{"kind": "environment"|"file"|"encrypted-file",
/// "name": ...}`.
///
/// ```
/// use webex_bot::tokens::TokenSource;
/// let v = webex_bot_cli::session::source_json(&TokenSource::Environment("WEBEX_ACCESS_TOKEN"));
/// assert_eq!(v["kind"], "environment");
/// ```
pub fn source_json(source: &TokenSource) -> serde_json::Value {
    let (kind, name) = match source {
        TokenSource::Environment(v) => ("environment", (*v).to_owned()),
        TokenSource::File(p) => ("file", p.display().to_string()),
        TokenSource::EncryptedFile(p) => ("encrypted-file", p.display().to_string()),
        other => ("other", other.to_string()),
    };
    serde_json::json!({"kind": kind, "name": name})
}
