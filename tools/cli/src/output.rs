//! What a subcommand ends with: a result to print (for people, or as JSON with `--json`),
//! or an error with its exit code.
//!
//! ```
//! use webex_bot_cli::output::Failure;
//! let f = Failure::usage("give --save PATH or --print-token");
//! assert_eq!(f.code, 2);
//! assert_eq!(Failure::failed("Webex said no").code, 1);
//! ```

use std::fmt;

use serde_json::Value;

/// A subcommand that did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The process's exit code: 1 when the work failed (Webex refused, a check found
    /// problems), 2 when it could not start (bad arguments, no token, a missing file).
    pub code: u8,
    /// What to tell the user (never a token).
    pub message: String,
}

impl Failure {
    /// The command could not run as given (exit code 2).
    ///
    /// ```
    /// assert_eq!(webex_bot_cli::output::Failure::usage("x").to_string(), "x");
    /// ```
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// The work failed (exit code 1).
    ///
    /// ```
    /// assert_eq!(webex_bot_cli::output::Failure::failed("x").code, 1);
    /// ```
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<webex_bot::client::Error> for Failure {
    fn from(e: webex_bot::client::Error) -> Self {
        Failure::failed(format!("Webex: {e}"))
    }
}

impl Failure {
    /// Says which API could not be reached, when that is what went wrong.
    ///
    /// ```
    /// use webex_bot_cli::output::Failure;
    /// let f = Failure::failed("Webex: could not reach webex: refused").at("http://127.0.0.1:1/v1");
    /// assert!(f.message.ends_with("(the API at http://127.0.0.1:1/v1)"));
    /// assert_eq!(Failure::failed("404").at("x").message, "404");
    /// ```
    pub fn at(mut self, base_url: &str) -> Self {
        if self.message.starts_with("Webex: could not reach") {
            self.message = format!("{} (the API at {base_url})", self.message);
        }
        self
    }
}

/// What a subcommand that worked prints: lines for people, and the same as JSON.
///
/// ```
/// let d = webex_bot_cli::output::Done::new(serde_json::json!({"ok": true})).line("all good");
/// assert_eq!(d.lines, ["all good"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// The lines printed without `--json`.
    pub lines: Vec<String>,
    /// What `--json` prints.
    pub json: Value,
    /// The exit code: 0, or 1 for a report of problems (a check that failed).
    pub code: u8,
}

impl Done {
    /// A result with no lines yet.
    ///
    /// ```
    /// assert!(webex_bot_cli::output::Done::new(serde_json::json!({})).lines.is_empty());
    /// ```
    pub fn new(json: Value) -> Self {
        Done {
            lines: Vec::new(),
            json,
            code: 0,
        }
    }

    /// Makes the process exit with `code` after printing (a report of problems).
    ///
    /// ```
    /// assert_eq!(webex_bot_cli::output::Done::new(serde_json::json!({})).exit_code(1).code, 1);
    /// ```
    pub fn exit_code(mut self, code: u8) -> Self {
        self.code = code;
        self
    }

    /// Adds a line for people.
    ///
    /// ```
    /// let d = webex_bot_cli::output::Done::new(serde_json::json!({})).line("a").line("b");
    /// assert_eq!(d.lines.len(), 2);
    /// ```
    pub fn line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    /// Prints it: the JSON on one line with `json`, else the lines.
    ///
    /// ```
    /// webex_bot_cli::output::Done::new(serde_json::json!({"n": 1})).print(true);
    /// ```
    pub fn print(&self, json: bool) {
        if json {
            println!("{}", self.json);
        } else {
            for l in &self.lines {
                println!("{l}");
            }
        }
    }
}

/// The result of a subcommand.
pub type Outcome = Result<Done, Failure>;
