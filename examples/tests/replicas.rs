//! Three echo bot processes behind one webhook URL, sharing a real `redis-server`: a
//! round-robin HTTP proxy (each request to the next replica, as a load balancer does)
//! spreads the emulator's deliveries. Every message is answered once; a replica killed
//! with SIGKILL under load loses no acknowledged event; Redis (persistent, as in
//! production) restarted mid-run loses none either. Counts are printed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot::emulator::Emulator;
use webex_bot::models::NewMessage;
use webex_bot::testing::RedisServer;

const SECRET: &str = "the-replicas-shared-secret";

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `f` until it holds, for at most `limit`.
fn until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asks the Redis server on `port` with `redis-cli` (installed with `redis-server`).
fn redis_cli(port: u16, args: &[&str]) -> Vec<String> {
    let out = Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli runs (it comes with redis-server)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Entries of the shared event queue that the replica with process id `pid` took and has
/// not acknowledged (its consumer's count in `XPENDING`; consumers are named `{pid}-...`).
fn pending_of(port: u16, pid: u32) -> usize {
    let Some(stream) = redis_cli(port, &["--scan", "--pattern", "*:events:stream"])
        .into_iter()
        .next()
    else {
        return 0;
    };
    // Raw output of the summary form: count, lowest id, highest id, then each consumer's
    // name followed by its count.
    let lines = redis_cli(port, &["XPENDING", &stream, "workers"]);
    let mine = format!("{pid}-");
    lines
        .iter()
        .position(|l| l.starts_with(&mine))
        .and_then(|i| lines.get(i + 1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// An HTTP/1.1 proxy sending each request to the next backend in turn (skipping one that
/// refuses the connection), 502 when the backend dies before answering.
struct Proxy {
    addr: SocketAddr,
    /// Requests answered by each backend.
    served: Arc<Mutex<HashMap<SocketAddr, usize>>>,
}

/// One HTTP message (head and `Content-Length` body) from `s`, or `None` at its end.
fn read_message(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

impl Proxy {
    fn start(backends: Vec<SocketAddr>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let served = Arc::new(Mutex::new(HashMap::new()));
        let next = Arc::new(AtomicUsize::new(0));
        let counts = served.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let (backends, next, counts) = (backends.clone(), next.clone(), counts.clone());
                std::thread::spawn(move || serve(client, &backends, &next, &counts));
            }
        });
        Proxy { addr, served }
    }
}

fn serve(
    mut client: TcpStream,
    backends: &[SocketAddr],
    next: &AtomicUsize,
    counts: &Mutex<HashMap<SocketAddr, usize>>,
) {
    while let Some(request) = read_message(&mut client) {
        let mut answer = None;
        for _ in 0..backends.len() {
            let to = backends[next.fetch_add(1, Ordering::SeqCst) % backends.len()];
            let Ok(mut b) = TcpStream::connect_timeout(&to, Duration::from_secs(2)) else {
                continue;
            };
            let _ = b.set_read_timeout(Some(Duration::from_secs(30)));
            answer = Some(
                b.write_all(&request)
                    .ok()
                    .and_then(|()| read_message(&mut b))
                    .inspect(|_| *counts.lock().unwrap().entry(to).or_default() += 1),
            );
            break;
        }
        let reply = match answer {
            Some(Some(r)) => r,
            _ => b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        if client.write_all(&reply).is_err() {
            return;
        }
    }
}

/// Three replicas of the echo bot behind a proxy, and what they share.
struct Cluster {
    emu: Emulator,
    redis: Mutex<RedisServer>,
    proxy: Proxy,
    ports: Vec<u16>,
    replicas: Vec<Option<Killed>>,
    /// Where each replica's log goes.
    logs: std::path::PathBuf,
}

impl Cluster {
    fn start() -> Cluster {
        let emu = Emulator::builder()
            .bot_with_token("Echo Bot", "echo@webex.bot", Some("BOTTOKEN"))
            .user_with_token("Alice", "alice@example.com", Some("ALICETOKEN"))
            // A killed replica makes a few deliveries fail in a row; Webex would not give
            // up on the webhook that soon.
            .failure_threshold(10_000)
            .start()
            .unwrap();
        // Persistent, as a production Redis: killed and started again, it keeps what it
        // held (the events acknowledged and not yet handled among them).
        let redis =
            RedisServer::start_persistent().expect("redis-server starts (.ci/run installs it)");
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let proxy = Proxy::start(
            ports
                .iter()
                .map(|p| SocketAddr::from(([127, 0, 0, 1], *p)))
                .collect(),
        );
        let logs = std::env::temp_dir().join(format!(
            "webex-bot-replicas-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&logs).unwrap();
        let mut c = Cluster {
            emu,
            redis: Mutex::new(redis),
            proxy,
            ports,
            replicas: Vec::new(),
            logs,
        };
        for i in 0..3 {
            let r = c.replica(i);
            c.replicas.push(Some(r));
        }
        for p in c.ports.clone() {
            until("a replica is healthy", Duration::from_secs(60), || {
                ureq::get(&format!("http://127.0.0.1:{p}/health"))
                    .call()
                    .is_ok()
            });
        }
        c
    }

    fn replica(&self, i: usize) -> Killed {
        Killed(
            Command::new(env!("CARGO_BIN_EXE_echo"))
                .env("WEBEX_ACCESS_TOKEN", "BOTTOKEN")
                .env("WEBEX_BASE_URL", self.emu.base_url())
                .env(
                    "WEBEX_PUBLIC_URL",
                    format!("http://{}/webhook", self.proxy.addr),
                )
                .env("WEBEX_WEBHOOK_SECRET", SECRET)
                .env("WEBEX_LISTEN", format!("127.0.0.1:{}", self.ports[i]))
                .env("WEBEX_REDIS_URL", self.redis.lock().unwrap().url())
                .env("WEBEX_CLAIM_TIMEOUT", "1")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(self.logs.join(format!("replica-{i}.log"))).unwrap())
                .spawn()
                .unwrap(),
        )
    }

    /// The lines of every replica's log that contain `needle`.
    fn logged(&self, needle: &str) -> Vec<String> {
        (0..3)
            .filter_map(|i| {
                std::fs::read_to_string(self.logs.join(format!("replica-{i}.log"))).ok()
            })
            .flat_map(|t| {
                t.lines()
                    .filter(|l| l.contains(needle))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn user(&self) -> webex_bot::Client {
        webex_bot::Client::builder()
            .token("ALICETOKEN")
            .base_url(self.emu.base_url())
            .build()
            .unwrap()
    }

    /// Sends `n` messages `echo {tag} {i}` from 4 threads at once, calling `midway` once
    /// half are sent.
    fn load(&self, tag: &str, n: usize, midway: impl FnOnce()) {
        let user = self.user();
        let sent = AtomicUsize::new(0);
        let half = std::sync::Barrier::new(5);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (user, sent, half) = (&user, &sent, &half);
                s.spawn(move || {
                    let mine: Vec<usize> = (t..n).step_by(4).collect();
                    for (j, &i) in mine.iter().enumerate() {
                        if j == mine.len() / 2 {
                            half.wait();
                        }
                        user.messages()
                            .create(
                                &NewMessage::to_email("echo@webex.bot")
                                    .text(format!("echo {tag} {i}")),
                            )
                            .unwrap();
                        sent.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
            half.wait();
            midway();
        });
    }

    /// For each message `{tag} {i}`: whether its delivery was acknowledged (a 2xx), and
    /// how many times it was answered.
    fn tally(&self, tag: &str, n: usize) -> Vec<(bool, usize)> {
        let messages = self.emu.all_messages();
        let deliveries = self.emu.deliveries();
        (0..n)
            .map(|i| {
                let text = format!("{tag} {i}");
                let asked = messages
                    .iter()
                    .find(|m| m.text.as_deref() == Some(&format!("echo {text}")))
                    .expect("sent");
                let acked = deliveries.iter().any(|d| {
                    d.body.contains(&asked.id) && d.status.is_some_and(|s| (200..300).contains(&s))
                });
                let answered = messages
                    .iter()
                    .filter(|m| m.text.as_deref() == Some(text.as_str()))
                    .count();
                (acked, answered)
            })
            .collect()
    }

    /// Waits until every acknowledged message is answered, then a few claim timeouts more
    /// (for reclaimed events, and for duplicates to show), and prints the counts.
    fn settle(&self, tag: &str, n: usize) -> Vec<(bool, usize)> {
        // Every message delivered first (deliveries lag behind the sending).
        until(
            "every message is delivered",
            Duration::from_secs(90),
            || self.emu.events_in_flight() == 0,
        );
        let answered = || {
            self.tally(tag, n)
                .iter()
                .all(|(acked, answered)| !acked || *answered >= 1)
        };
        // Bounded: what a replica left is claimed within a few claim timeouts.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !answered() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if !answered() {
            let missing: Vec<usize> = self
                .tally(tag, n)
                .iter()
                .enumerate()
                .filter(|(_, (a, k))| *a && *k == 0)
                .map(|(i, _)| i)
                .collect();
            panic!(
                "{tag}: acknowledged and never answered: {missing:?}; the replicas warned: {:#?}",
                self.logged("WARN")
            );
        }
        // What a replica left pending is claimed after the claim timeout (1 s here).
        let quiet = Instant::now() + Duration::from_secs(4);
        until("the answers settle", Duration::from_secs(30), || {
            Instant::now() >= quiet
        });
        let t = self.tally(tag, n);
        let acked = t.iter().filter(|(a, _)| *a).count();
        let once = t.iter().filter(|(a, n)| *a && *n == 1).count();
        let twice = t.iter().filter(|(_, n)| *n > 1).count();
        let unacked_answered = t.iter().filter(|(a, n)| !*a && *n == 1).count();
        println!(
            "{tag}: {n} sent, {acked} acknowledged, {once} of them answered exactly once, {twice} answered more than once, {} not acknowledged ({unacked_answered} of those answered once); requests per replica {:?}",
            n - acked,
            self.proxy
                .served
                .lock()
                .unwrap()
                .values()
                .collect::<Vec<_>>()
        );
        t
    }
}

#[test]
fn three_replicas_behind_one_url_answer_every_message_once() {
    let c = Cluster::start();
    // One set of webhooks, registered by one replica at a time.
    let hooks = webex_bot::Client::builder()
        .token("BOTTOKEN")
        .base_url(c.emu.base_url())
        .build()
        .unwrap()
        .webhooks()
        .list(&Default::default())
        .map(|h| h.unwrap())
        .collect::<Vec<_>>();
    let mut kinds: Vec<(String, String)> = hooks
        .iter()
        .map(|h| (h.resource.clone(), h.event.clone()))
        .collect();
    kinds.sort();
    let before = kinds.len();
    kinds.dedup();
    assert_eq!(
        before,
        kinds.len(),
        "no webhook registered twice: {hooks:?}"
    );
    c.load("plain", 90, || {});
    let t = c.settle("plain", 90);
    assert!(
        t.iter().all(|(acked, answered)| *acked && *answered == 1),
        "{t:?}"
    );
    let served = c.proxy.served.lock().unwrap().clone();
    assert_eq!(served.len(), 3, "every replica took deliveries: {served:?}");
}

#[test]
fn a_replica_killed_under_load_loses_no_acknowledged_event() {
    let mut c = Cluster::start();
    // Every fetch of a message is slow, so that the replica is killed holding events it
    // took and had not finished: the others must claim them. Slow enough that the victim
    // holds some for a second or more, which the polling below (a redis-cli process each
    // time, slow on a loaded machine) cannot miss: at 50 ms a fetch, one run under the
    // whole suite waited out its 30 s for such an event (the victim, it seems, done with
    // its events between two polls).
    c.emu.inject(
        webex_bot::emulator::Fault::slow(100_000, Duration::from_millis(250))
            .on("GET", "/messages/"),
    );
    let mut victim = c.replicas[1].take();
    let port = c.redis.lock().unwrap().port();
    c.load("killed", 160, || {
        let v = victim.take().unwrap();
        // Deliveries lag behind the sending, and the queue is shared: at the halfway mark
        // the victim may hold nothing yet. It is killed once the group shows an entry its
        // workers took and have not finished.
        until(
            "the victim holds an unfinished event",
            Duration::from_secs(30),
            || pending_of(port, v.0.id()) > 0,
        );
        let _ = Command::new("kill")
            .args(["-KILL", &v.0.id().to_string()])
            .status();
        drop(v);
    });
    let t = c.settle("killed", 160);
    let claimed = c.logged("claimed");
    println!(
        "killed: {} claims by the surviving replicas: {claimed:?}",
        claimed.len()
    );
    let skipped = c.logged("was answering it");
    println!(
        "killed: {} claimed events the dead replica had begun answering: {skipped:?}",
        skipped.len()
    );
    assert!(
        !claimed.is_empty(),
        "the killed replica held events; the others claimed them"
    );
    for (i, (acked, answered)) in t.iter().enumerate() {
        if *acked {
            assert_eq!(*answered, 1, "message {i} was acknowledged: {t:?}");
        } else {
            assert!(*answered <= 1, "message {i}: {t:?}");
        }
    }
}

#[test]
fn redis_restarted_mid_run_loses_no_acknowledged_event() {
    let c = Cluster::start();
    c.load("restart", 120, || {
        let mut redis = c.redis.lock().unwrap();
        redis.stop();
        // Down until deliveries are refused (not acknowledged), then back with its data.
        until("a delivery is refused", Duration::from_secs(30), || {
            c.emu.deliveries().iter().any(|d| d.status == Some(503))
        });
        redis.restart().unwrap();
    });
    let t = c.settle("restart", 120);
    for (i, (acked, answered)) in t.iter().enumerate() {
        if *acked {
            assert_eq!(*answered, 1, "message {i} was acknowledged: {t:?}");
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.replicas.clear();
        let _ = std::fs::remove_dir_all(&self.logs);
    }
}
