//! The listener under attack: the echo bot runs as its own process against the fake API
//! while this program holds hostile connections open to it, of the kinds an attacker
//! would choose, and keeps them open (a connection the bot closes is opened again at
//! once). With them in place it reads the bot's resident and private memory, threads and
//! descriptors from `/proc`, then sends signed deliveries one at a time, each on a new
//! connection, and times each from its first byte to its `2xx` and to the bot's reply.
//!
//! The kinds: `silent` (connect, send nothing); `announced` (a head announcing a 1 MiB
//! body, then nothing); `heads` (a head that never ends, a byte every 500 ms); `bodies` (a
//! head announcing 100 kB, then the body a byte every 500 ms); `mixed` (a third each of
//! silent, heads and bodies).
//!
//! ```sh
//! cargo build --release -p webex-bot-examples -p webex-bot-bench
//! target/release/attack --connections 1000,2000 --deliveries 20
//! ```

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use webex_bot_bench::{
    Sender, fake_api, open_descriptors, options, percentile, signed_event, start_bot, status_field,
    usage,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Silent,
    Announced,
    Heads,
    Bodies,
}

const KINDS: &[(&str, &[Kind])] = &[
    ("none", &[]),
    ("silent", &[Kind::Silent]),
    ("announced", &[Kind::Announced]),
    ("heads", &[Kind::Heads]),
    ("bodies", &[Kind::Bodies]),
    ("mixed", &[Kind::Silent, Kind::Heads, Kind::Bodies]),
];

struct Hostile {
    kind: Kind,
    stream: Option<TcpStream>,
}

fn open(kind: Kind, addr: SocketAddr) -> Option<TcpStream> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    let head: &[u8] = match kind {
        Kind::Silent | Kind::Heads => b"",
        Kind::Announced => {
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        }
        Kind::Bodies => {
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        }
    };
    s.write_all(head).ok()?;
    if kind == Kind::Heads {
        s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nX-Pad: ").ok()?;
    }
    s.set_nonblocking(true).ok()?;
    Some(s)
}

/// Keeps the hostile connections open and trickling until `stop`; counts the ones the bot
/// closed (each reopened).
fn drive(
    addr: SocketAddr,
    mut hostile: Vec<Hostile>,
    stop: Arc<AtomicBool>,
    closed: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut sink = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            let round = Instant::now();
            for h in &mut hostile {
                let alive = match &mut h.stream {
                    None => false,
                    Some(s) => {
                        let wrote = match h.kind {
                            Kind::Heads | Kind::Bodies => s.write(b"x").is_ok(),
                            _ => true,
                        };
                        let gone = match s.read(&mut sink) {
                            Ok(_) => true, // answered (408, 413...) or closed
                            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                        };
                        wrote && !gone
                    }
                };
                if !alive {
                    if h.stream.is_some() {
                        closed.fetch_add(1, Ordering::Relaxed);
                    }
                    h.stream = open(h.kind, addr);
                }
                if stop.load(Ordering::Relaxed) {
                    return;
                }
            }
            let rest = Duration::from_millis(500).saturating_sub(round.elapsed());
            std::thread::sleep(rest);
        }
    })
}

struct Reading {
    rss: u64,
    private: u64,
    threads: u64,
    fds: usize,
}

fn read(pid: u32) -> Reading {
    Reading {
        rss: status_field(pid, "VmRSS:"),
        private: status_field(pid, "RssAnon:"),
        threads: status_field(pid, "Threads:"),
        fds: open_descriptors(pid),
    }
}

fn run(bot_exe: &str, name: &str, kinds: &[Kind], connections: usize, deliveries: u64) {
    let api = fake_api();
    let (bot, port, _) = start_bot(&[bot_exe], &api, &[], None);
    let pid = bot.0.id();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let idle = read(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let closed = Arc::new(AtomicU64::new(0));
    let n = if kinds.is_empty() { 0 } else { connections };
    let hostile: Vec<Hostile> = (0..n)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            Hostile {
                kind,
                stream: open(kind, addr),
            }
        })
        .collect();
    let opened = hostile.iter().filter(|h| h.stream.is_some()).count();
    let driver = drive(addr, hostile, stop.clone(), closed.clone());
    // Let the bot take them in (threads start, heads begin to trickle).
    std::thread::sleep(Duration::from_secs(3));
    let under = read(pid);

    let mut answered = Vec::new();
    let mut replied = Vec::new();
    let mut failed = 0;
    for i in 0..deliveries {
        let n = 1_000_000 + i;
        let (body, sig) = signed_event(n);
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        api.waiting.lock().expect("waiting").insert(n, tx);
        let mut sender = Sender::new(addr);
        let sent = Instant::now();
        match sender.post(&body, &sig) {
            Ok(s) if (200..300).contains(&s) => answered.push(sent.elapsed()),
            _ => {
                failed += 1;
                continue;
            }
        }
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(at) => replied.push(at.saturating_duration_since(sent)),
            Err(_) => failed += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = driver.join();
    answered.sort_unstable();
    replied.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "{name:<10} {n:>6} {opened:>6} {:>7} {:>6} {:>8.1} {:>8.1} {:>8} {:>8.1} {:>8.1} {:>8.1} {failed:>6} {:>7}",
        under.threads.saturating_sub(idle.threads),
        under.fds,
        mib(under.rss),
        mib(under.private),
        if n > 0 {
            format!(
                "{:.1}",
                under.private.saturating_sub(idle.private) as f64
                    / under.threads.saturating_sub(idle.threads).max(1) as f64
            )
        } else {
            "-".into()
        },
        ms(percentile(&answered, 0.5)),
        ms(percentile(&answered, 1.0)),
        ms(percentile(&replied, 1.0)),
        closed.load(Ordering::Relaxed),
    );
}

fn main() {
    // Thousands of connections need as many descriptors here.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mut connections = vec![1000usize, 2000];
    let mut deliveries = 20u64;
    let mut only: Option<String> = None;
    let (bot, options) = options();
    for (name, v) in options {
        match name.as_str() {
            "--connections" => connections = v.split(',').filter_map(|c| c.parse().ok()).collect(),
            "--deliveries" => deliveries = v.parse().unwrap_or(deliveries),
            "--kind" => only = Some(v),
            _ => usage(
                "attack [--connections 1000,2000] [--deliveries 20] [--kind silent|announced|heads|bodies|mixed] [--bot PATH]",
            ),
        }
    }
    println!(
        "{:<10} {:>6} {:>6} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7}",
        "attack",
        "conns",
        "opened",
        "threads",
        "fds",
        "RSS MiB",
        "priv MiB",
        "KiB/conn",
        "2xx p50",
        "2xx max",
        "reply max",
        "failed",
        "closed"
    );
    for &c in &connections {
        for (name, kinds) in KINDS {
            if only.as_deref().is_some_and(|o| o != *name)
                || (kinds.is_empty() && c != connections[0])
            {
                continue;
            }
            run(&bot, name, kinds, c, deliveries);
        }
    }
}
