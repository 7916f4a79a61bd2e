//! Load generator: runs the echo bot as its own process against a minimal fast fake Webex
//! API served here, sends it signed webhooks at a chosen concurrency, and prints commands
//! per second, latency from webhook to reply, failed and lost events, the bot's CPU time
//! per command (user and system, from `/proc/PID/stat` before and after the run), and its
//! memory: resident (idle and peak) and private (`RssAnon`: idle, and the largest seen by
//! sampling every 2 ms during the run).
//!
//! Each of the `concurrency` senders sends a webhook and waits for the bot's reply to reach
//! the fake API before sending the next: concurrency is the number of commands in flight
//! end to end. A webhook answered other than 2xx is failed; an acknowledged one whose reply
//! does not come within 10 s is lost.
//!
//! ```sh
//! cargo build --release -p webex-bot-examples -p webex-bot-bench
//! target/release/loadgen --concurrency 8,64,512 --events 20000
//! ```

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot::webhook::{Secret, sign};

const SECRET: &str = "loadgen-secret";

/// The fake API: `GET /v1/people/me`, `GET /v1/messages/{id}` (the text is `echo {id}`),
/// `POST /v1/messages` (records when each reply arrives).
struct FakeApi {
    origin: String,
    waiting: Waiting,
    _server: webex_bot::unversioned::server::Server,
}

/// Senders waiting for the reply to their event, by event number.
type Waiting = Arc<Mutex<HashMap<u64, std::sync::mpsc::SyncSender<Instant>>>>;

fn fake_api() -> FakeApi {
    let waiting: Waiting = Arc::new(Mutex::new(HashMap::new()));
    let w = waiting.clone();
    let server = webex_bot::unversioned::server::Server::builder()
        .name("fake-api")
        .bind("127.0.0.1:0", move |req| {
            let path = req.path();
            let body = if path == "/v1/people/me" {
                r#"{"id":"bot-id","displayName":"Load Bot","type":"bot","emails":["load@webex.bot"]}"#.to_owned()
            } else if let Some(id) = path.strip_prefix("/v1/messages/") {
                format!(
                    r#"{{"id":"{id}","roomId":"room","roomType":"direct","text":"echo {id}","personId":"user","personEmail":"user@example.com"}}"#
                )
            } else if path == "/v1/messages" {
                let now = Instant::now();
                let b = String::from_utf8_lossy(req.body());
                if let Some(n) = b
                    .split("\"text\":\"")
                    .nth(1)
                    .and_then(|t| t.split('"').next())
                    .and_then(|t| t.parse::<u64>().ok())
                    && let Some(tx) = w.lock().expect("waiting").remove(&n)
                {
                    let _ = tx.send(now);
                }
                r#"{"id":"reply","roomId":"room"}"#.to_owned()
            } else {
                "{}".to_owned()
            };
            webex_bot::unversioned::server::Response::json(200, body)
        })
        .expect("bind");
    FakeApi {
        origin: format!("http://{}", server.local_addr()),
        waiting,
        _server: server,
    }
}

/// One sender's kept-alive connection to the bot, speaking just enough HTTP/1.1 to post a
/// webhook and read the answer (a general client would spend more of the two cores than
/// the bot it measures).
struct Sender {
    addr: std::net::SocketAddr,
    conn: Option<std::io::BufReader<std::net::TcpStream>>,
}

impl Sender {
    /// Posts `body` signed with `signature`; the answer's status, or why there is none.
    fn post(&mut self, body: &str, signature: &str) -> Result<u16, String> {
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

fn rss_kib(pid: u32, field: &str) -> u64 {
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
fn cpu_time(pid: u32) -> Duration {
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
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Samples the private resident memory (RssAnon) every 2 ms until stopped; the largest.
struct PrivatePeak {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl PrivatePeak {
    fn start(pid: u32) -> Self {
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

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn run(bot_exe: &str, concurrency: usize, events: u64) {
    let api = fake_api();
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let spawned = Instant::now();
    let bot = Bot(Command::new(bot_exe)
        .env("WEBEX_ACCESS_TOKEN", "load-token")
        .env("WEBEX_BASE_URL", format!("{}/v1", api.origin))
        .env("WEBEX_WEBHOOK_SECRET", SECRET)
        .env("WEBEX_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("WEBEX_PUBLIC_URL")
        .stdin(Stdio::null())
        .spawn()
        .expect("start the bot"));
    let pid = bot.0.id();
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    );
    let health = format!("http://127.0.0.1:{port}/health");
    let ready_after = loop {
        if agent.get(&health).call().is_ok_and(|r| r.status() == 200) {
            break spawned.elapsed();
        }
        if spawned.elapsed() > Duration::from_secs(10) {
            eprintln!("the bot did not start");
            return;
        }
        std::thread::yield_now();
    };
    let idle_rss = rss_kib(pid, "VmRSS:");
    // Of which private (heap, stacks, relocated data); the rest is shared file pages.
    let idle_anon = rss_kib(pid, "RssAnon:");

    let bot_addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let secret = Secret::new(SECRET);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let lost = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(events as usize)));
    let cpu_before = cpu_time(pid);
    let private_peak = PrivatePeak::start(pid);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (secret, next, failed, lost, latencies, waiting) =
                (secret.clone(), next.clone(), failed.clone(), lost.clone(), latencies.clone(), api.waiting.clone());
            std::thread::spawn(move || {
                let mut sender = Sender { addr: bot_addr, conn: None };
                let mut mine = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        break;
                    }
                    let body = format!(
                        r#"{{"id":"hook","name":"load","resource":"messages","event":"created","actorId":"user","data":{{"id":"{n}","roomId":"room","roomType":"direct","personId":"user","personEmail":"user@example.com"}}}}"#
                    );
                    let sig = sign(&secret, body.as_bytes());
                    // Std's channel sleeps at once; crossbeam's spins and yields the CPU a
                    // few times first, and those yields, from eight waiting senders, took
                    // the two cores from the bot being measured (p99 1.8 ms -> 0.5 ms).
                    let (tx, rx) = std::sync::mpsc::sync_channel(1);
                    waiting.lock().expect("waiting").insert(n, tx);
                    let sent = Instant::now();
                    let why = match sender.post(&body, &sig) {
                        Ok(status) if (200..300).contains(&status) => None,
                        Ok(status) => Some(format!("answered {status}")),
                        Err(e) => Some(e),
                    };
                    if let Some(why) = why {
                        waiting.lock().expect("waiting").remove(&n);
                        if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("loadgen: event {n} failed: {why}");
                        }
                        continue;
                    }
                    match rx.recv_timeout(Duration::from_secs(10)) {
                        Ok(at) => mine.push(at.saturating_duration_since(sent)),
                        Err(_) => {
                            eprintln!("loadgen: event {n} was acknowledged but got no reply");
                            lost.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies.lock().expect("latencies").extend(mine);
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time(pid).saturating_sub(cpu_before);
    let peak_anon = private_peak.finish();
    let mut lat = latencies.lock().expect("latencies").clone();
    lat.sort_unstable();
    let (failed, lost) = (failed.load(Ordering::Relaxed), lost.load(Ordering::Relaxed));
    let replies = lat.len();
    let peak_rss = rss_kib(pid, "VmHWM:");
    println!(
        "{concurrency:>11} {events:>7} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {failed:>6} {lost:>5} {:>10.1} {:>9.2} {:>9.2} {:>9.1} {:>9.2} {:>8.1}",
        replies as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5).as_secs_f64() * 1000.0,
        percentile(&lat, 0.99).as_secs_f64() * 1000.0,
        percentile(&lat, 1.0).as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1e6 / replies.max(1) as f64,
        idle_rss as f64 / 1024.0,
        idle_anon as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        peak_anon as f64 / 1024.0,
        ready_after.as_secs_f64() * 1000.0,
    );
}

fn main() {
    let mut concurrency = vec![8usize, 64, 512];
    let mut events = 20_000u64;
    let mut bot = std::env::current_exe()
        .expect("exe")
        .with_file_name("echo")
        .to_string_lossy()
        .into_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--concurrency" => concurrency = v.split(',').filter_map(|c| c.parse().ok()).collect(),
            "--events" => events = v.parse().unwrap_or(events),
            "--bot" => bot = v,
            _ => {
                eprintln!("usage: loadgen [--concurrency 8,64,512] [--events N] [--bot PATH]");
                std::process::exit(2);
            }
        }
    }
    println!(
        "{:>11} {:>7} {:>10} {:>9} {:>9} {:>9} {:>6} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "concurrency",
        "events",
        "cmds/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "failed",
        "lost",
        "cpu us/cmd",
        "idle MiB",
        "priv MiB",
        "peak MiB",
        "peak priv",
        "ready ms"
    );
    for c in concurrency {
        run(&bot, c, events);
    }
}
