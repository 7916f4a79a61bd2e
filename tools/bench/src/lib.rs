//! What the benchmarks share: a minimal fast fake Webex API, the bot run as its own
//! process, a small HTTP/1.1 sender for signed webhooks, and readings of a process from
//! `/proc` (memory, CPU time, threads, descriptors).

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot::webhook::{Secret, sign};

pub mod rounds;

pub const SECRET: &str = "loadgen-secret";

/// The fake API: `GET /v1/people/me`, `GET /v1/messages/{id}` (the text is `echo {id}`),
/// `POST /v1/messages` (records when each reply arrives).
pub struct FakeApi {
    pub origin: String,
    pub waiting: Waiting,
    /// Replies received, by event number (a number twice is a duplicate reply).
    pub replies: Arc<Mutex<HashMap<u64, u32>>>,
    _server: webex_bot::unversioned::server::Server,
}

/// Senders waiting for the reply to their event, by event number.
pub type Waiting = Arc<Mutex<HashMap<u64, std::sync::mpsc::SyncSender<Instant>>>>;

/// Whether the webhooks sent and the fake API's answers have the size of Webex's (its long
/// ids, every field of a delivery and of a message, its response headers) rather than the
/// few short fields the bot needs. Set once, before the first run.
static WEBEX_SIZED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes the webhooks and answers of later runs Webex-sized (see [`signed_event`]).
pub fn webex_sized(on: bool) {
    WEBEX_SIZED.store(on, Ordering::Relaxed);
}

fn is_webex_sized() -> bool {
    WEBEX_SIZED.load(Ordering::Relaxed)
}

/// Ids as Webex writes them: base64 of a URI naming the object.
const ROOM: &str = "Y2lzY29zcGFyazovL3VzL1JPT00vYmJjZWIxYWQtNDNmMS0zYjU4LTkxNDctZjE0YmIwYzRkMTU0";
const PERSON: &str =
    "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xZjdkZTVjYi04NTYxLTQ2NzEtYmMwMy1iYzk3NDMxNDQ0MmQ";

/// Headers Webex's API answers carry besides the content's.
const WEBEX_HEADERS: [(&str, &str); 8] = [
    ("trackingid", "ROUTER_6748E3F1-1B2C-01BB-0C5A-AC12D8A30C5A"),
    ("vary", "Accept-Encoding"),
    ("cache-control", "no-cache"),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains; preload",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("access-control-expose-headers", "TrackingID"),
    ("server", "Redacted"),
];

pub fn fake_api() -> FakeApi {
    let waiting: Waiting = Arc::new(Mutex::new(HashMap::new()));
    let replies: Arc<Mutex<HashMap<u64, u32>>> = Arc::new(Mutex::new(HashMap::new()));
    let w = waiting.clone();
    let r = replies.clone();
    let server = webex_bot::unversioned::server::Server::builder()
        .name("fake-api")
        .bind("127.0.0.1:0", move |req| {
            let path = req.path();
            // Read once, so that a body and its headers are of the same shape.
            let sized = is_webex_sized();
            let body = if path == "/v1/people/me" {
                r#"{"id":"bot-id","displayName":"Load Bot","type":"bot","emails":["load@webex.bot"]}"#.to_owned()
            } else if let Some(id) = path.strip_prefix("/v1/messages/") {
                if sized {
                    format!(
                        r#"{{"id":"{id}","roomId":"{ROOM}","roomType":"direct","text":"echo {id}","html":"<p>echo {id}</p>","personId":"{PERSON}","personEmail":"user@example.com","created":"2026-12-03T13:00:00.000Z","updated":"2026-12-03T13:00:00.000Z"}}"#
                    )
                } else {
                    format!(
                        r#"{{"id":"{id}","roomId":"room","roomType":"direct","text":"echo {id}","personId":"user","personEmail":"user@example.com"}}"#
                    )
                }
            } else if path == "/v1/messages" {
                let now = Instant::now();
                let b = String::from_utf8_lossy(req.body());
                if let Some(n) = b
                    .split("\"text\":\"")
                    .nth(1)
                    .and_then(|t| t.split('"').next())
                    .and_then(|t| t.parse::<u64>().ok())
                {
                    *r.lock().expect("replies").entry(n).or_default() += 1;
                    if let Some(tx) = w.lock().expect("waiting").remove(&n) {
                        let _ = tx.send(now);
                    }
                }
                if sized {
                    format!(
                        r#"{{"id":"Y2lzY29zcGFyazovL3VzL01FU1NBR0UvcmVwbHk","roomId":"{ROOM}","roomType":"direct","text":"reply","personId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Q","personEmail":"load@webex.bot","created":"2026-12-03T13:00:00.000Z"}}"#
                    )
                } else {
                    r#"{"id":"reply","roomId":"room"}"#.to_owned()
                }
            } else {
                "{}".to_owned()
            };
            let response = webex_bot::unversioned::server::Response::json(200, body);
            if sized {
                WEBEX_HEADERS
                    .iter()
                    .fold(response, |r, (name, value)| r.with_header(*name, *value))
            } else {
                response
            }
        })
        .expect("bind");
    FakeApi {
        origin: format!("http://{}", server.local_addr()),
        waiting,
        replies,
        _server: server,
    }
}

/// One sender's kept-alive connection to the bot, speaking just enough HTTP/1.1 to post a
/// webhook and read the answer (a general client would spend more of the two cores than
/// the bot it measures).
pub struct Sender {
    addr: std::net::SocketAddr,
    conn: Option<std::io::BufReader<std::net::TcpStream>>,
}

impl Sender {
    /// A sender to the bot at `addr`; it connects on its first post, and again after a
    /// close.
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Sender { addr, conn: None }
    }
}

impl Sender {
    /// Posts `body` signed with `signature`; the answer's status, or why there is none.
    pub fn post(&mut self, body: &str, signature: &str) -> Result<u16, String> {
        use std::io::{BufRead, Read, Write};
        if self.conn.is_none() {
            let s = std::net::TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
            let _ = s.set_nodelay(true);
            s.set_read_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| e.to_string())?;
            self.conn = Some(std::io::BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Spark-Signature: {signature}\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let answer = (|| -> std::io::Result<(u16, bool)> {
            conn.get_mut().write_all(request.as_bytes())?;
            let mut line = String::new();
            conn.read_line(&mut line)?;
            let status = line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
            let (mut length, mut close) = (0usize, false);
            loop {
                line.clear();
                conn.read_line(&mut line)?;
                let header = line.trim_end().to_ascii_lowercase();
                if header.is_empty() {
                    break;
                }
                if let Some(v) = header.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                close |= header == "connection: close";
            }
            let mut body = vec![0; length];
            conn.read_exact(&mut body)?;
            Ok((status, close))
        })();
        match answer {
            Ok((status, close)) => {
                if close {
                    self.conn = None;
                }
                Ok(status)
            }
            Err(e) => {
                self.conn = None;
                Err(e.to_string())
            }
        }
    }
}

pub fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The CPU time the process has used, user and system, its exited threads included
/// (`utime` + `stime` of `/proc/PID/stat`, in clock ticks of 10 ms).
pub fn cpu_time(pid: u32) -> Duration {
    let (user, system) = cpu_times(pid);
    user + system
}

/// The user and the system (kernel) CPU time a process has used, from `/proc/PID/stat`
/// (clock ticks of 10 ms).
pub fn cpu_times(pid: u32) -> (Duration, Duration) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name is in parentheses and may hold spaces: fields count from after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of the whole line are 12 and 13 after the name.
    (
        Duration::from_millis(ticks(11) * 10),
        Duration::from_millis(ticks(12) * 10),
    )
}

/// Samples the private resident memory (RssAnon) every 2 ms until stopped; the largest.
pub struct PrivatePeak {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl PrivatePeak {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut peak = 0;
                while !stop.load(Ordering::Relaxed) {
                    peak = peak.max(rss_kib(pid, "RssAnon:"));
                    std::thread::sleep(Duration::from_millis(2));
                }
                peak.max(rss_kib(pid, "RssAnon:"))
            }
        });
        PrivatePeak { stop, thread }
    }

    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

pub struct Bot(pub Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Starts `command` (the bot's program, or a wrapper such as `strace ... -- bot`, then its
/// arguments) as the bot: its token, the fake API as its base URL, the shared secret,
/// listening on a free port of 127.0.0.1 (extra environment from `env`). Waits until its
/// health route answers; the bot, its port and how long it took to be ready.
/// With `log`, the bot's standard error (its log) goes to that file.
pub fn start_bot(
    command: &[&str],
    api: &FakeApi,
    env: &[(&str, &str)],
    log: Option<&std::path::Path>,
) -> (Bot, u16, Duration) {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let spawned = Instant::now();
    let mut cmd = Command::new(command[0]);
    cmd.args(&command[1..])
        .env("WEBEX_ACCESS_TOKEN", "load-token")
        .env("WEBEX_BASE_URL", format!("{}/v1", api.origin))
        .env("WEBEX_WEBHOOK_SECRET", SECRET)
        .env("WEBEX_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("WEBEX_PUBLIC_URL")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(path) = log {
        cmd.stderr(std::fs::File::create(path).expect("the log file"));
    }
    let bot = Bot(cmd.spawn().expect("start the bot"));
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    );
    let health = format!("http://127.0.0.1:{port}/health");
    loop {
        if agent.get(&health).call().is_ok_and(|r| r.status() == 200) {
            return (bot, port, spawned.elapsed());
        }
        assert!(
            spawned.elapsed() < Duration::from_secs(10),
            "the bot did not start"
        );
        std::thread::yield_now();
    }
}

/// A signed `messages/created` webhook for event `n` (the fake API's message `n` says
/// `echo n`): the body and its signature.
pub fn signed_event(n: u64) -> (String, String) {
    let body = if is_webex_sized() {
        format!(
            r#"{{"id":"Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjRlNjA1NjAtNjYwMi00ZmIwLWEyNWEtOTQ5ODgxNjA5NDk3","name":"load","targetUrl":"https://bot.example.com/","resource":"messages","event":"created","orgId":"OTZhYmMyYWEtM2RjYy0xMWU1LWExNTItZmUzNDgxOWNkYzlh","createdBy":"{PERSON}","appId":"Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL0MyNzljYjMwYzAyOTE4MGJiNGJkYWViYjA2MWI3OTY1Y2RhMzliNjAyOTdjODUwM2YyNjZhYmY2NmM5OTllYzFm","ownedBy":"creator","status":"active","created":"2026-12-01T10:00:00.000Z","actorId":"{PERSON}","data":{{"id":"{n}","roomId":"{ROOM}","roomType":"direct","personId":"{PERSON}","personEmail":"user@example.com","created":"2026-12-03T13:00:00.000Z"}}}}"#
        )
    } else {
        format!(
            r#"{{"id":"hook","name":"load","resource":"messages","event":"created","actorId":"user","data":{{"id":"{n}","roomId":"room","roomType":"direct","personId":"user","personEmail":"user@example.com"}}}}"#
        )
    };
    let sig = sign(&Secret::new(SECRET), body.as_bytes());
    (body, sig)
}

/// A field of `/proc/PID/status` as a number (`Threads:`, or a size in KiB).
pub fn status_field(pid: u32, field: &str) -> u64 {
    rss_kib(pid, field)
}

/// How many descriptors the process has open.
pub fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// The command line as `--name value` pairs, `--bot PATH` taken out: the bot to run
/// (default: the `echo` example built beside this program) and the other pairs in order.
pub fn options() -> (String, Vec<(String, String)>) {
    let mut bot = std::env::current_exe()
        .expect("exe")
        .with_file_name("echo")
        .to_string_lossy()
        .into_owned();
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(name) = args.next() {
        let value = args.next().unwrap_or_default();
        if name == "--bot" {
            bot = value;
        } else {
            rest.push((name, value));
        }
    }
    (bot, rest)
}

/// Prints `usage` and exits with status 2.
pub fn usage(usage: &str) -> ! {
    eprintln!("usage: {usage}");
    std::process::exit(2)
}
