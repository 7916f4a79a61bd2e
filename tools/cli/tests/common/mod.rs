//! Running the `webex-bot` binary: against the standalone emulator it serves itself
//! (`webex-bot emulator`), with a clean environment, its output parsed.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_webex-bot");

/// The variables a run must not inherit from the machine.
const CLEARED: [&str; 6] = [
    "WEBEX_ACCESS_TOKEN",
    "WEBEX_ACCESS_TOKEN_FILE",
    "WEBEX_TOKEN_PASSPHRASE",
    "WEBEX_TOKEN_KEY_FILE",
    "WEBEX_BASE_URL",
    "RUST_LOG",
];

/// `webex-bot emulator` as a process, killed when dropped.
pub struct Emulator {
    pub child: Option<Child>,
    pub base_url: String,
    /// Tokens by email, as printed.
    pub tokens: HashMap<String, String>,
}

impl Emulator {
    /// Starts `webex-bot emulator --listen 127.0.0.1:0` with `args` and reads what it
    /// prints until `ready`.
    pub fn start(args: &[&str]) -> Emulator {
        let mut cmd = Command::new(BIN);
        for v in CLEARED {
            cmd.env_remove(v);
        }
        let mut child = cmd
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("webex-bot emulator starts");
        let lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut base_url = String::new();
        let mut tokens = HashMap::new();
        for line in lines.map_while(Result::ok) {
            if line == "ready" {
                break;
            }
            if let Some(u) = line.strip_prefix("WEBEX_BASE_URL=") {
                base_url = u.to_owned();
            }
            if line.starts_with("bot ") || line.starts_with("user ") {
                let email = line.split('<').nth(1).and_then(|r| r.split('>').next());
                let token = line.rsplit("token=").next();
                if let (Some(e), Some(t)) = (email, token) {
                    tokens.insert(e.to_owned(), t.to_owned());
                }
            }
        }
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        Emulator {
            child: Some(child),
            base_url,
            tokens,
        }
    }

    pub fn token(&self, email: &str) -> &str {
        &self.tokens[email]
    }

    /// A library client acting as `email`, to arrange what a test needs and to look at
    /// what the binary did.
    pub fn client(&self, email: &str) -> webex_bot::Client {
        webex_bot::Client::builder()
            .token(self.token(email))
            .base_url(&self.base_url)
            .build()
            .unwrap()
    }

    /// Sends SIGTERM and waits (bounded) for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let child = self.child.take().expect("running");
        signal(&child, "TERM");
        wait(child, Duration::from_secs(30))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig}");
}

/// Waits for `child` to exit, at most `limit`.
pub fn wait(mut child: Child, limit: Duration) -> ExitStatus {
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(limit) {
        Ok(status) => status.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("process {pid} did not exit within {limit:?}");
        }
    }
}

/// One run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as the one JSON object `--json` prints.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// Asserts the exit code, showing everything when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:?}");
        self
    }

    /// Asserts that `secret` appears nowhere in the output.
    #[track_caller]
    pub fn never_shows(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "a secret was shown: {self:?}"
        );
    }
}

/// Runs `webex-bot ARGS` against `base_url` with the environment `env` (and nothing of
/// the machine's WEBEX_ variables), `stdin` on its standard input.
pub fn run(base_url: &str, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(BIN);
    for v in CLEARED {
        cmd.env_remove(v);
    }
    cmd.env("WEBEX_BASE_URL", base_url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder for one test's files.
pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webex-bot-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The first bytes of a 512 × 512 PNG.
pub fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&512u32.to_be_bytes());
    b.extend_from_slice(&512u32.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}
