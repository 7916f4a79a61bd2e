//! A real `redis-server` for tests of replicas: started on a free port of 127.0.0.1 with
//! nothing saved to disk, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long the server may take to say it is ready.
const READY: Duration = Duration::from_secs(30);

/// A `redis-server` process of the test's own (the distribution's package: `apt-get
/// install redis-server`), on a free port, killed when dropped.
///
/// ```no_run
/// let redis = webex_bot::testing::RedisServer::start()?;
/// let url = redis.url(); // redis://127.0.0.1:PORT
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// With persistence: where its append-only file is (removed when dropped).
    dir: Option<std::path::PathBuf>,
}

impl RedisServer {
    /// Starts one and waits (bounded) until it accepts connections. Fails when
    /// `redis-server` is not installed, saying how to install it.
    ///
    /// ```no_run
    /// let redis = webex_bot::testing::RedisServer::start()?;
    /// assert!(redis.url().starts_with("redis://127.0.0.1:"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start() -> std::io::Result<RedisServer> {
        Self::start_in(None)
    }

    /// As [`start`](Self::start), with every write appended to a file in a folder of its
    /// own (`appendonly yes`, synced every second, as a production Redis is often set):
    /// stopped with [`stop`](Self::stop) and started again with
    /// [`restart`](Self::restart), it comes back with its data.
    ///
    /// ```no_run
    /// let mut redis = webex_bot::testing::RedisServer::start_persistent()?;
    /// redis.stop();
    /// redis.restart()?; // with what it held
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_persistent() -> std::io::Result<RedisServer> {
        let dir = std::env::temp_dir().join(format!(
            "webex-bot-redis-{}-{}",
            std::process::id(),
            crate::util::random_hex(4)
        ));
        std::fs::create_dir_all(&dir)?;
        Self::start_in(Some(dir))
    }

    fn start_in(dir: Option<std::path::PathBuf>) -> std::io::Result<RedisServer> {
        let mut last = None;
        // A free port is found by binding port 0; another process may take it before the
        // server binds it, so a few tries.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            match Self::start_on(port, dir.clone()) {
                Ok(s) => return Ok(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("redis-server did not start")))
    }

    fn start_on(port: u16, dir: Option<std::path::PathBuf>) -> std::io::Result<RedisServer> {
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--daemonize",
            "no",
        ]);
        match &dir {
            Some(d) => {
                cmd.arg("--dir")
                    .arg(d)
                    .args(["--appendonly", "yes", "--appendfsync", "everysec"])
            }
            None => cmd.args(["--appendonly", "no"]),
        };
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    std::io::Error::new(
                        e.kind(),
                        "redis-server is not installed (on Debian: apt-get install redis-server)",
                    )
                } else {
                    e
                }
            })?;
        let out = child.stdout.take().expect("piped");
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            let mut said = String::new();
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line.contains("Ready to accept connections") {
                    let _ = tx.send(Ok(()));
                    // Keep reading, so that the server never blocks on a full pipe.
                    continue;
                }
                if said.len() < 4096 {
                    said.push_str(&line);
                    said.push('\n');
                }
            }
            let _ = tx.send(Err(said));
        });
        let mut server = RedisServer {
            child: Some(child),
            port,
            dir,
        };
        match rx.recv_timeout(READY) {
            Ok(Ok(())) => Ok(server),
            Ok(Err(said)) => {
                server.kill();
                Err(std::io::Error::other(format!(
                    "redis-server on port {port} stopped: {}",
                    said.lines().last().unwrap_or("(nothing said)")
                )))
            }
            Err(_) => {
                server.kill();
                Err(std::io::Error::other(format!(
                    "redis-server on port {port} was not ready within {READY:?}"
                )))
            }
        }
    }

    /// `redis://127.0.0.1:PORT`.
    ///
    /// ```no_run
    /// # let redis = webex_bot::testing::RedisServer::start()?;
    /// let url = webex_bot::Secret::new(redis.url()); // for BotBuilder::redis
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Its port.
    ///
    /// ```no_run
    /// # let redis = webex_bot::testing::RedisServer::start()?;
    /// assert!(redis.port() > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts it again on the same port after [`kill`](Self::kill): Redis coming back,
    /// empty, or with its data when it was started with
    /// [`start_persistent`](Self::start_persistent).
    ///
    /// ```no_run
    /// # let mut redis = webex_bot::testing::RedisServer::start()?;
    /// redis.kill();
    /// redis.restart()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        let again = Self::start_on(self.port, self.dir.take())?;
        *self = again;
        Ok(())
    }

    /// Stops it as an operator restarting it would (SIGTERM: it writes what it holds to
    /// its file first, when persistent) and waits for it.
    ///
    /// ```no_run
    /// # let mut redis = webex_bot::testing::RedisServer::start()?;
    /// redis.stop();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }

    /// Kills it (SIGKILL) and waits for it: Redis going away, as a test wants it.
    ///
    /// ```no_run
    /// # let mut redis = webex_bot::testing::RedisServer::start()?;
    /// redis.kill();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(d) = self.dir.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
