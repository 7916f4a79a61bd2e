//! Where a bot's token comes from, and keeping it safe at rest: from the environment,
//! from a file only its owner can read, or from a file encrypted with
//! [age](https://age-encryption.org) (feature `encrypted-tokens`), which the `age` and
//! `rage` tools read and write too.
//!
//! [`token_from_env`] looks, in order, at `WEBEX_ACCESS_TOKEN` (the token itself) and
//! `WEBEX_ACCESS_TOKEN_FILE` (a path). An encrypted file is opened with
//! `WEBEX_TOKEN_PASSPHRASE` (scrypt, memory-hard) or with the age identity in the file
//! `WEBEX_TOKEN_KEY_FILE`. Errors say which file and what to do, never the token or the
//! passphrase; the token is a [`Secret`], wiped from memory when dropped.
//!
//! ```
//! use webex_bot::tokens::{TokenSource, read_token_file};
//! # let dir = std::env::temp_dir().join(format!("tokens-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("token");
//! webex_bot::tokens::write_token_file(&path, b"the-token\n").unwrap(); // mode 0600
//! assert_eq!(read_token_file(&path).unwrap().expose(), "the-token");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::Secret;

/// Where a token was found.
///
/// ```
/// use webex_bot::tokens::TokenSource;
/// assert_eq!(TokenSource::Environment("WEBEX_ACCESS_TOKEN").to_string(), "the environment variable WEBEX_ACCESS_TOKEN");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// An environment variable holding the token.
    Environment(&'static str),
    /// A plain file.
    File(PathBuf),
    /// An age-encrypted file.
    EncryptedFile(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Environment(v) => write!(f, "the environment variable {v}"),
            TokenSource::File(p) => write!(f, "the file {}", p.display()),
            TokenSource::EncryptedFile(p) => write!(f, "the encrypted file {}", p.display()),
        }
    }
}

/// A token and where it was found.
///
/// ```
/// use webex_bot::tokens::{FoundToken, TokenSource};
/// let f = FoundToken { token: webex_bot::Secret::new("t"), source: TokenSource::Environment("WEBEX_ACCESS_TOKEN") };
/// assert!(!format!("{f:?}").contains("\"t\""));
/// ```
#[derive(Debug, Clone)]
pub struct FoundToken {
    /// The token.
    pub token: Secret,
    /// Where it was.
    pub source: TokenSource,
}

/// How an encrypted token file is opened (and made).
///
/// ```
/// use webex_bot::tokens::Key;
/// let k = Key::Passphrase(webex_bot::Secret::new("correct horse"));
/// assert!(!format!("{k:?}").contains("horse"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Key {
    /// A passphrase, stretched with scrypt.
    Passphrase(Secret),
    /// A file holding an age identity (`AGE-SECRET-KEY-1...`, as `age-keygen` writes).
    KeyFile(PathBuf),
}

/// Why no token could be had.
///
/// ```
/// use webex_bot::tokens::TokenError;
/// let e = TokenError::NotConfigured;
/// assert!(e.to_string().contains("WEBEX_ACCESS_TOKEN"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TokenError {
    /// Neither `WEBEX_ACCESS_TOKEN` nor `WEBEX_ACCESS_TOKEN_FILE` is set.
    NotConfigured,
    /// The file can be read by its group or by others.
    Readable {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file holds no token.
    Empty(PathBuf),
    /// The file is encrypted and no key was given.
    NoKey(PathBuf),
    /// The passphrase or key does not open the file.
    WrongKey(PathBuf),
    /// The file is not a whole, untouched encrypted file.
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the decryption said.
        reason: String,
    },
    /// The key file holds no age identity.
    BadKeyFile(PathBuf),
    /// Encrypted files need the `encrypted-tokens` feature.
    Unsupported(PathBuf),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::NotConfigured => f.write_str(
                "no token: set WEBEX_ACCESS_TOKEN to the token, or WEBEX_ACCESS_TOKEN_FILE to a file that holds it",
            ),
            TokenError::Readable { path, mode } => write!(
                f,
                "the token file {} can be read by others (mode {:o}): make it the owner's alone with `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ),
            TokenError::Io { path, source } => {
                write!(f, "the token file {}: {source}", path.display())
            }
            TokenError::Empty(p) => write!(f, "the token file {} is empty", p.display()),
            TokenError::NoKey(p) => write!(
                f,
                "the token file {} is encrypted: set WEBEX_TOKEN_PASSPHRASE, or WEBEX_TOKEN_KEY_FILE to the age identity file",
                p.display()
            ),
            TokenError::WrongKey(p) => write!(
                f,
                "the passphrase or key does not open the token file {}",
                p.display()
            ),
            TokenError::Damaged { path, reason } => write!(
                f,
                "the token file {} is damaged or was changed: {reason}",
                path.display()
            ),
            TokenError::BadKeyFile(p) => write!(
                f,
                "the key file {} holds no age identity (AGE-SECRET-KEY-1...)",
                p.display()
            ),
            TokenError::Unsupported(p) => write!(
                f,
                "the token file {} is encrypted, and this build has no `encrypted-tokens` feature",
                p.display()
            ),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> TokenError + '_ {
    move |source| TokenError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Refuses a file its group or others may read (on Unix; elsewhere every file passes).
fn check_private(path: &Path) -> Result<(), TokenError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(io_error(path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(TokenError::Readable {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}

/// Reads `path` after checking it is private to its owner.
fn read_private(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, TokenError> {
    check_private(path)?;
    std::fs::read(path)
        .map(zeroize::Zeroizing::new)
        .map_err(io_error(path))
}

/// Whether `bytes` are an age file, binary or armored.
fn is_age(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

/// The token in a plain file only its owner can read (surrounding whitespace ignored).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tokens-read-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("token");
/// std::fs::write(&path, "t\n").unwrap();
/// # #[cfg(unix)] {
/// use std::os::unix::fs::PermissionsExt;
/// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
/// let e = webex_bot::tokens::read_token_file(&path).unwrap_err();
/// assert!(e.to_string().contains("chmod 600"));
/// # }
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn read_token_file(path: &Path) -> Result<Secret, TokenError> {
    let bytes = read_private(path)?;
    if is_age(&bytes) {
        return Err(TokenError::NoKey(path.to_owned()));
    }
    token_of(&bytes, path)
}

fn token_of(bytes: &[u8], path: &Path) -> Result<Secret, TokenError> {
    let text = std::str::from_utf8(bytes).map_err(|_| TokenError::Damaged {
        path: path.to_owned(),
        reason: "not text".into(),
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::Empty(path.to_owned()));
    }
    Ok(Secret::new(token))
}

/// Writes `bytes` to `path`, readable and writable by its owner only (mode 0600 on Unix),
/// replacing what was there.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tokens-write-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("token");
/// webex_bot::tokens::write_token_file(&path, b"t").unwrap();
/// assert!(webex_bot::tokens::read_token_file(&path).is_ok());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_token_file(path: &Path, bytes: &[u8]) -> Result<(), TokenError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error(path))?;
    // A file that existed keeps its mode through `open`: make it private first.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io_error(path))?;
    }
    file.write_all(bytes).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}

/// The token in a file, plain or encrypted: `key` opens an encrypted one.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tokens-any-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("token");
/// webex_bot::tokens::write_token_file(&path, b"t").unwrap();
/// let (token, source) = webex_bot::tokens::open_token_file(&path, None).unwrap();
/// assert_eq!(token.expose(), "t");
/// assert!(matches!(source, webex_bot::tokens::TokenSource::File(_)));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn open_token_file(
    path: &Path,
    key: Option<&Key>,
) -> Result<(Secret, TokenSource), TokenError> {
    let bytes = read_private(path)?;
    if !is_age(&bytes) {
        return Ok((token_of(&bytes, path)?, TokenSource::File(path.to_owned())));
    }
    let Some(key) = key else {
        return Err(TokenError::NoKey(path.to_owned()));
    };
    let plain = decrypt(&bytes, key, path)?;
    Ok((
        token_of(&plain, path)?,
        TokenSource::EncryptedFile(path.to_owned()),
    ))
}

/// The token from the environment: `WEBEX_ACCESS_TOKEN`, else the file named by
/// `WEBEX_ACCESS_TOKEN_FILE` (opened with `WEBEX_TOKEN_PASSPHRASE` or
/// `WEBEX_TOKEN_KEY_FILE` when encrypted), and where it was.
///
/// ```
/// match webex_bot::tokens::token_from_env() {
///     Ok(found) => println!("token from {}", found.source),
///     Err(e) => println!("{e}"),
/// }
/// ```
pub fn token_from_env() -> Result<FoundToken, TokenError> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(t) = var("WEBEX_ACCESS_TOKEN") {
        return Ok(FoundToken {
            token: Secret::new(t),
            source: TokenSource::Environment("WEBEX_ACCESS_TOKEN"),
        });
    }
    let Some(path) = var("WEBEX_ACCESS_TOKEN_FILE") else {
        return Err(TokenError::NotConfigured);
    };
    let key = match (var("WEBEX_TOKEN_PASSPHRASE"), var("WEBEX_TOKEN_KEY_FILE")) {
        (Some(p), _) => Some(Key::Passphrase(Secret::new(p))),
        (None, Some(k)) => Some(Key::KeyFile(PathBuf::from(k))),
        (None, None) => None,
    };
    let (token, source) = open_token_file(Path::new(&path), key.as_ref())?;
    Ok(FoundToken { token, source })
}

/// Whether the environment names a token (the variable or the file), to choose between
/// running against Webex and shell mode.
pub(crate) fn configured_in_env() -> bool {
    ["WEBEX_ACCESS_TOKEN", "WEBEX_ACCESS_TOKEN_FILE"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
}

/// Encrypts `token` into an armored age file with `key`, for [`write_token_file`].
///
/// ```
/// # #[cfg(feature = "encrypted-tokens")] {
/// use webex_bot::tokens::{Key, encrypt_token};
/// let key = Key::Passphrase(webex_bot::Secret::new("a long passphrase"));
/// let file = encrypt_token(&webex_bot::Secret::new("t"), &key).unwrap();
/// assert!(file.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
/// # }
/// ```
pub fn encrypt_token(token: &Secret, key: &Key) -> Result<Vec<u8>, TokenError> {
    encrypt(token.expose().as_bytes(), key)
}

#[cfg(feature = "encrypted-tokens")]
fn identity_of(path: &Path) -> Result<age::x25519::Identity, TokenError> {
    let text = read_private(path)?;
    let text = std::str::from_utf8(&text).map_err(|_| TokenError::BadKeyFile(path.to_owned()))?;
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| TokenError::BadKeyFile(path.to_owned()))
}

#[cfg(feature = "encrypted-tokens")]
fn passphrase(p: &Secret) -> age::secrecy::SecretString {
    age::secrecy::SecretString::from(p.expose().to_owned())
}

#[cfg(feature = "encrypted-tokens")]
fn encrypt(plain: &[u8], key: &Key) -> Result<Vec<u8>, TokenError> {
    use std::io::Write;
    let here = Path::new("(new token file)");
    let encryptor = match key {
        Key::Passphrase(p) => age::Encryptor::with_user_passphrase(passphrase(p)),
        Key::KeyFile(path) => {
            let recipient = identity_of(path)?.to_public();
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| TokenError::Damaged {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
        }
    };
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(io_error(here))?;
    let mut writer = encryptor.wrap_output(armor).map_err(io_error(here))?;
    writer.write_all(plain).map_err(io_error(here))?;
    writer
        .finish()
        .and_then(|armor| armor.finish())
        .map_err(io_error(here))?;
    Ok(out)
}

#[cfg(not(feature = "encrypted-tokens"))]
fn encrypt(_: &[u8], _: &Key) -> Result<Vec<u8>, TokenError> {
    Err(TokenError::Unsupported(PathBuf::from("(new token file)")))
}

#[cfg(feature = "encrypted-tokens")]
fn decrypt(
    bytes: &[u8],
    key: &Key,
    path: &Path,
) -> Result<zeroize::Zeroizing<Vec<u8>>, TokenError> {
    use std::io::Read;
    let damaged = |e: &dyn fmt::Display| TokenError::Damaged {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let decryptor =
        age::Decryptor::new(age::armor::ArmoredReader::new(bytes)).map_err(|e| damaged(&e))?;
    let result = match key {
        Key::Passphrase(p) => {
            let identity = age::scrypt::Identity::new(passphrase(p));
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Key::KeyFile(k) => {
            let identity = identity_of(k)?;
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
    };
    let mut reader = match result {
        Ok(r) => r,
        Err(
            age::DecryptError::NoMatchingKeys
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::DecryptionFailed,
        ) => {
            return Err(TokenError::WrongKey(path.to_owned()));
        }
        Err(e) => return Err(damaged(&e)),
    };
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    reader.read_to_end(&mut plain).map_err(|e| damaged(&e))?;
    Ok(plain)
}

#[cfg(not(feature = "encrypted-tokens"))]
fn decrypt(_: &[u8], _: &Key, path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, TokenError> {
    Err(TokenError::Unsupported(path.to_owned()))
}
