//! Progress bars for uploads and downloads, on standard error. They draw only when
//! standard error is a terminal and `--json` is not given, so scripts and logs see
//! nothing of them.
//!
//! ```
//! use std::io::Read;
//! let bar = webex_bot_cli::progress::bar("logo.png", Some(4), false);
//! let mut reader = webex_bot_cli::progress::Counted::new(&b"abcd"[..], bar.clone());
//! let mut out = Vec::new();
//! reader.read_to_end(&mut out).unwrap();
//! assert_eq!(bar.position(), 4);
//! ```

use std::io::{self, Read};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `len` bytes (a spinner when the length is unknown) labelled `what`; hidden
/// when `shown` is false or standard error is not a terminal.
///
/// ```
/// let bar = webex_bot_cli::progress::bar("x", None, false);
/// assert!(bar.is_hidden());
/// ```
pub fn bar(what: &str, len: Option<u64>, shown: bool) -> ProgressBar {
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), target).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("a valid template")
                .progress_chars("=> "),
        ),
        None => ProgressBar::with_draw_target(None, target).with_style(
            ProgressStyle::with_template("{spinner} {msg} {bytes} {bytes_per_sec}")
                .expect("a valid template"),
        ),
    };
    bar.set_message(what.to_owned());
    bar
}

/// A reader that moves a bar by what it reads.
///
/// ```
/// use std::io::Read;
/// let bar = webex_bot_cli::progress::bar("x", Some(3), false);
/// let mut r = webex_bot_cli::progress::Counted::new(&b"abc"[..], bar.clone());
/// r.read_to_end(&mut Vec::new()).unwrap();
/// assert_eq!(bar.position(), 3);
/// ```
#[derive(Debug)]
pub struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Counted<R> {
    /// Wraps `inner`.
    ///
    /// ```
    /// let r = webex_bot_cli::progress::Counted::new(std::io::empty(), indicatif::ProgressBar::hidden());
    /// # drop(r);
    /// ```
    pub fn new(inner: R, bar: ProgressBar) -> Self {
        Counted { inner, bar }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        if n == 0 {
            self.bar.finish_and_clear();
        }
        Ok(n)
    }
}
