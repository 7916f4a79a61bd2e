//! `webex-bot token`: check a token without showing it, encrypt one at rest, and save a
//! new one (what `register` does with the token Webex gives once).
//!
//! ```
//! use webex_bot_cli::token::Save;
//! let save = Save { path: None, encrypt: false, key_file: None, print_token: false };
//! assert!(save.check().is_err(), "a new token must go somewhere");
//! ```

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use serde_json::json;
use webex_bot::Secret;
use webex_bot::tokens::{self, Key};

use crate::output::{Done, Failure, Outcome};
use crate::session;

/// Where a new token goes.
#[derive(Debug, Clone, Default)]
pub struct Save {
    /// The file to write it to (mode 0600).
    pub path: Option<PathBuf>,
    /// Encrypt the file (age): with `key_file`, else `WEBEX_TOKEN_PASSPHRASE`, else a
    /// passphrase typed at the terminal.
    pub encrypt: bool,
    /// An age identity file whose recipient the file is encrypted to.
    pub key_file: Option<PathBuf>,
    /// Print it on standard output as well (the only time it can be seen).
    pub print_token: bool,
}

impl Save {
    /// Refuses, before anything is asked of Webex, a new token that would go nowhere.
    ///
    /// ```
    /// # use webex_bot_cli::token::Save;
    /// assert!(Save { print_token: true, ..Save::default() }.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<(), Failure> {
        if self.path.is_none() && !self.print_token {
            return Err(Failure::usage(
                "the new bot token is shown only once: give --save PATH (a private file) or --print-token",
            ));
        }
        if (self.encrypt || self.key_file.is_some()) && self.path.is_none() {
            return Err(Failure::usage("--encrypt and --key-file need --save PATH"));
        }
        Ok(())
    }

    /// Writes `token` as asked; returns what to say of it (JSON: `{"saved", "encrypted",
    /// "token"?}`).
    ///
    /// ```
    /// # use webex_bot_cli::token::Save;
    /// # let dir = std::env::temp_dir().join(format!("cli-save-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let save = Save { path: Some(dir.join("t")), ..Save::default() };
    /// save.store(&webex_bot::Secret::new("tok")).unwrap();
    /// assert_eq!(webex_bot::tokens::read_token_file(&dir.join("t")).unwrap().expose(), "tok");
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn store(&self, token: &Secret) -> Result<(Vec<String>, serde_json::Value), Failure> {
        let mut lines = Vec::new();
        let mut out = json!({"saved": null, "encrypted": false});
        if let Some(path) = &self.path {
            let encrypted = self.encrypt || self.key_file.is_some();
            write_token(path, token, encrypted, self.key_file.as_deref())?;
            lines.push(format!(
                "the token is in {}{} (readable by you only)",
                if encrypted { "the encrypted file " } else { "" },
                path.display()
            ));
            out["saved"] = json!(path.display().to_string());
            out["encrypted"] = json!(encrypted);
        }
        if self.print_token {
            lines.push(format!("token: {}", token.expose()));
            out["token"] = json!(token.expose());
        }
        Ok((lines, out))
    }
}

/// Writes `token` to `path` (0600), encrypted when asked.
fn write_token(
    path: &Path,
    token: &Secret,
    encrypt: bool,
    key_file: Option<&Path>,
) -> Result<(), Failure> {
    let bytes = if encrypt {
        let key = match key_file {
            Some(k) => Key::KeyFile(k.to_owned()),
            None => match session::key_from_env() {
                Some(Key::Passphrase(p)) => Key::Passphrase(p),
                _ => Key::Passphrase(new_passphrase()?),
            },
        };
        tokens::encrypt_token(token, &key).map_err(|e| Failure::usage(e.to_string()))?
    } else {
        let mut b = token.expose().as_bytes().to_vec();
        b.push(b'\n');
        b
    };
    tokens::write_token_file(path, &bytes).map_err(|e| Failure::failed(e.to_string()))
}

/// A passphrase typed twice at the terminal (not shown).
fn new_passphrase() -> Result<Secret, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "no passphrase: set WEBEX_TOKEN_PASSPHRASE, give --key-file, or run at a terminal to type one",
        ));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Secret::new)
            .map_err(|e| Failure::usage(format!("cannot read the passphrase: {e}")))
    };
    let first = ask("Passphrase for the token file: ")?;
    if first.expose().chars().count() < 8 {
        return Err(Failure::usage(
            "the passphrase is shorter than 8 characters",
        ));
    }
    if ask("The same passphrase again: ")? != first {
        return Err(Failure::usage("the two passphrases differ"));
    }
    Ok(first)
}

/// A token read from `from` (a plain file that only its owner can read), else from
/// standard input (typed without being shown at a terminal, the first line otherwise).
fn read_token(from: Option<&Path>) -> Result<Secret, Failure> {
    if let Some(path) = from {
        return tokens::read_token_file(path).map_err(|e| Failure::usage(e.to_string()));
    }
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Token (not shown): ")
            .map_err(|e| Failure::usage(format!("cannot read the token: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("cannot read the token: {e}")))?;
        line
    };
    let token = Secret::new(line.trim());
    if token.expose().is_empty() {
        return Err(Failure::usage("no token on standard input"));
    }
    Ok(token)
}

/// `token encrypt`: the token from `from` or standard input, into the encrypted file
/// `out`.
///
/// ```no_run
/// let done = webex_bot_cli::token::encrypt(None, std::path::Path::new("token.age"), None)?;
/// # Ok::<(), webex_bot_cli::output::Failure>(())
/// ```
pub fn encrypt(from: Option<&Path>, out: &Path, key_file: Option<&Path>) -> Outcome {
    let token = read_token(from)?;
    write_token(out, &token, true, key_file)?;
    Ok(Done::new(json!({"saved": out.display().to_string(), "encrypted": true})).line(format!(
        "the token is in the encrypted file {} (readable by you only); use it with WEBEX_ACCESS_TOKEN_FILE={} and {}",
        out.display(),
        out.display(),
        if key_file.is_some() {
            "WEBEX_TOKEN_KEY_FILE"
        } else {
            "WEBEX_TOKEN_PASSPHRASE"
        }
    )))
}

/// `token check`: where the token is, and whose it is (`GET /people/me`), never the
/// token itself.
///
/// ```no_run
/// let done = webex_bot_cli::token::check(None, "https://webexapis.com/v1")?;
/// # Ok::<(), webex_bot_cli::output::Failure>(())
/// ```
pub fn check(token_file: Option<&Path>, base_url: &str) -> Outcome {
    let found = session::token(token_file)?;
    let client = session::client(base_url, &found.token)?;
    let source = session::source_json(&found.source);
    match client.people().me() {
        Ok(me) => {
            let kind = me
                .person_type
                .as_ref()
                .map(|t| format!("{t:?}").to_lowercase())
                .unwrap_or_else(|| "person".into());
            let email = me.emails.first().cloned().unwrap_or_default();
            let name = me.display_name.clone().unwrap_or_default();
            Ok(Done::new(json!({
                "valid": true, "source": source, "id": me.id, "type": kind,
                "displayName": name, "email": email, "baseUrl": base_url,
            }))
            .line(format!("token from {}", found.source))
            .line(format!(
                "it works on {base_url}: {kind} {name} <{email}> (id {})",
                me.id
            )))
        }
        Err(e) if e.status() == Some(401) => Err(Failure::failed(format!(
            "Webex refused the token from {} (401): it is wrong, expired or revoked",
            found.source
        ))),
        Err(e) => Err(Failure::failed(format!(
            "could not check the token from {}: {e}",
            found.source
        ))),
    }
}
