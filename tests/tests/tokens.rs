//! Tokens at rest: plain files private to their owner, age-encrypted files opened with a
//! passphrase or an identity file, and clear errors that never show a secret.

use std::path::{Path, PathBuf};

use webex_bot::Secret;
use webex_bot::tokens::{
    Key, TokenError, TokenSource, encrypt_token, open_token_file, read_token_file, write_token_file,
};

const TOKEN: &str = "NjA5ZmRiYzctMzNkYi00ZTk4LWJhNGYtYmYxZWQ0ZTYxZmY2";

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webex-bot-tokens-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn no_secret_in(e: &TokenError, secrets: &[&str]) {
    let shown = format!("{e} {e:?}");
    for s in secrets {
        assert!(!shown.contains(s), "{shown}");
    }
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_plain_token_file_must_be_the_owners_alone() {
    let d = dir("plain");
    let path = d.join("token");
    write_token_file(&path, format!("{TOKEN}\n").as_bytes()).unwrap();
    assert_eq!(read_token_file(&path).unwrap().expose(), TOKEN);
    #[cfg(unix)]
    for mode in [0o640, 0o604, 0o644, 0o666] {
        chmod(&path, mode);
        let e = read_token_file(&path).unwrap_err();
        assert!(matches!(e, TokenError::Readable { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
        no_secret_in(&e, &[TOKEN]);
    }
    // write_token_file makes an existing file private again.
    write_token_file(&path, TOKEN.as_bytes()).unwrap();
    assert!(read_token_file(&path).is_ok());
    // Empty and missing files.
    write_token_file(&path, b"  \n").unwrap();
    assert!(matches!(read_token_file(&path), Err(TokenError::Empty(_))));
    let e = read_token_file(&d.join("absent")).unwrap_err();
    assert!(
        matches!(e, TokenError::Io { .. }) && e.to_string().contains("absent"),
        "{e}"
    );
}

#[test]
fn an_encrypted_token_file_round_trips_with_a_passphrase() {
    let d = dir("passphrase");
    let path = d.join("token.age");
    let key = Key::Passphrase(Secret::new("correct horse battery staple"));
    let file = encrypt_token(&Secret::new(TOKEN), &key).unwrap();
    assert!(!String::from_utf8_lossy(&file).contains(TOKEN));
    write_token_file(&path, &file).unwrap();
    let (token, source) = open_token_file(&path, Some(&key)).unwrap();
    assert_eq!(token.expose(), TOKEN);
    assert_eq!(source, TokenSource::EncryptedFile(path.clone()));
    // Without a key: told what to set.
    let e = open_token_file(&path, None).unwrap_err();
    assert!(e.to_string().contains("WEBEX_TOKEN_PASSPHRASE"), "{e}");
    assert!(matches!(read_token_file(&path), Err(TokenError::NoKey(_))));
    // A wrong passphrase: a clear error, neither passphrase shown.
    let wrong = Key::Passphrase(Secret::new("incorrect donkey"));
    let e = open_token_file(&path, Some(&wrong)).unwrap_err();
    assert!(matches!(e, TokenError::WrongKey(_)), "{e:?}");
    no_secret_in(&e, &[TOKEN, "correct horse", "incorrect donkey"]);
}

#[test]
fn an_encrypted_token_file_round_trips_with_an_identity_file_and_not_with_another() {
    let d = dir("identity");
    let identity = |name: &str| {
        let p = d.join(name);
        let id = age_identity();
        write_token_file(&p, format!("# created by a test\n{id}\n").as_bytes()).unwrap();
        p
    };
    let mine = identity("me.key");
    let theirs = identity("them.key");
    let path = d.join("token.age");
    let file = encrypt_token(&Secret::new(TOKEN), &Key::KeyFile(mine.clone())).unwrap();
    write_token_file(&path, &file).unwrap();
    let (token, _) = open_token_file(&path, Some(&Key::KeyFile(mine.clone()))).unwrap();
    assert_eq!(token.expose(), TOKEN);
    let e = open_token_file(&path, Some(&Key::KeyFile(theirs))).unwrap_err();
    assert!(matches!(e, TokenError::WrongKey(_)), "{e:?}");
    // A key file others can read is refused like a token file.
    #[cfg(unix)]
    {
        chmod(&mine, 0o644);
        let e = open_token_file(&path, Some(&Key::KeyFile(mine.clone()))).unwrap_err();
        assert!(matches!(e, TokenError::Readable { .. }), "{e:?}");
    }
    // Not a key file at all.
    let bogus = d.join("bogus.key");
    write_token_file(&bogus, b"hello\n").unwrap();
    let e = encrypt_token(&Secret::new(TOKEN), &Key::KeyFile(bogus)).unwrap_err();
    assert!(matches!(e, TokenError::BadKeyFile(_)), "{e:?}");
}

#[test]
fn a_tampered_encrypted_file_is_a_clear_error() {
    let d = dir("tampered");
    let path = d.join("token.age");
    let key = Key::Passphrase(Secret::new("correct horse battery staple"));
    let file = encrypt_token(&Secret::new(TOKEN), &key).unwrap();
    // Flip one character of the armored payload's last line of data, then of the header.
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for victim in [lines.len() - 2, 1] {
        let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let line = &mut changed[victim];
        let c = line.chars().nth(3).unwrap();
        let swap = if c == 'A' { 'B' } else { 'A' };
        line.replace_range(3..4, &swap.to_string());
        write_token_file(&path, changed.join("\n").as_bytes()).unwrap();
        let e = open_token_file(&path, Some(&key)).unwrap_err();
        assert!(
            matches!(e, TokenError::Damaged { .. } | TokenError::WrongKey(_)),
            "line {victim}: {e:?}"
        );
        no_secret_in(&e, &[TOKEN, "correct horse"]);
    }
}

/// A new age X25519 identity, the line `age-keygen` writes (`AGE-SECRET-KEY-1...`).
fn age_identity() -> String {
    use age::secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_owned()
}
