//! Overload: the echo bot (its own process, against the fake API) first at its capacity,
//! measured closed-loop with 64 senders, then offered `--factor` times that rate
//! open-loop for `--seconds`. Throughout, a probe asks its health route every 20 ms on a
//! new connection. After the storm it waits for every acknowledged event's reply and
//! prints: the rate offered and how much of it the bot acknowledged or shed (`503`), the
//! health route's latency, the peak private memory, replies per acknowledged event (each
//! must be answered exactly once) and what the bot logged.
//!
//! A load generator on the same two cores as the bot cannot always offer ten times the
//! bot's rate: the rate it reached is printed beside the one asked for.
//!
//! ```sh
//! cargo build --release -p webex-bot-examples -p webex-bot-bench
//! target/release/overload --factor 10 --seconds 30
//! ```

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot_bench::{
    PrivatePeak, Sender, fake_api, options, percentile, signed_event, start_bot, usage,
};

/// Closed loop: `senders` each send and wait for the reply, for `length`; replies per second.
fn capacity(
    addr: SocketAddr,
    api: &webex_bot_bench::FakeApi,
    senders: u64,
    length: Duration,
) -> f64 {
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..senders)
        .map(|_| {
            let (next, done, waiting) = (next.clone(), done.clone(), api.waiting.clone());
            std::thread::spawn(move || {
                let mut sender = Sender::new(addr);
                while started.elapsed() < length {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let (body, sig) = signed_event(n);
                    let (tx, rx) = std::sync::mpsc::sync_channel(1);
                    waiting.lock().expect("waiting").insert(n, tx);
                    if sender.post(&body, &sig).is_ok_and(|s| s == 200)
                        && rx.recv_timeout(Duration::from_secs(10)).is_ok()
                    {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// One health request on a new connection: its latency, or None if it failed.
fn health(addr: SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    out.starts_with(b"HTTP/1.1 200 ").then(|| started.elapsed())
}

fn main() {
    let mut factor = 10.0f64;
    let mut seconds = 30u64;
    let mut senders = 128u64;
    let (bot, options) = options();
    for (name, v) in options {
        match name.as_str() {
            "--factor" => factor = v.parse().unwrap_or(factor),
            "--seconds" => seconds = v.parse().unwrap_or(seconds),
            "--senders" => senders = v.parse().unwrap_or(senders),
            _ => usage("overload [--factor 10] [--seconds 30] [--senders 128] [--bot PATH]"),
        }
    }
    let api = fake_api();
    let log = std::env::temp_dir().join(format!("overload-bot-{}.log", std::process::id()));
    let (bot, port, _) = start_bot(&[&bot], &api, &[("RUST_LOG", "info")], Some(&log));
    let pid = bot.0.id();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));

    let cap = capacity(addr, &api, 64, Duration::from_secs(5));
    let rate = cap * factor;
    println!(
        "capacity (closed loop, 64 senders, 5 s): {cap:.0} commands/s; offering {rate:.0}/s for {seconds} s"
    );

    // The storm: event k is due at start + k / rate; sender t sends k = t, t + senders, ...
    let acked = Arc::new(Mutex::new(Vec::new()));
    let (shed, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let total = (rate * seconds as f64) as u64;
    let first = 1u64 << 40;
    let stop_probe = Arc::new(AtomicBool::new(false));
    let probe = {
        let stop = stop_probe.clone();
        std::thread::spawn(move || {
            let (mut lat, mut failures) = (Vec::new(), 0u64);
            while !stop.load(Ordering::Relaxed) {
                let round = Instant::now();
                match health(addr) {
                    Some(d) => lat.push(d),
                    None => failures += 1,
                }
                std::thread::sleep(Duration::from_millis(20).saturating_sub(round.elapsed()));
            }
            (lat, failures)
        })
    };
    let peak = PrivatePeak::start(pid);
    let started = Instant::now();
    let storm: Vec<_> = (0..senders)
        .map(|t| {
            let (acked, shed, failed) = (acked.clone(), shed.clone(), failed.clone());
            std::thread::spawn(move || {
                let mut sender = Sender::new(addr);
                let mut mine = Vec::new();
                let mut k = t;
                while k < total {
                    let due = started + Duration::from_secs_f64(k as f64 / rate);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let n = first + k;
                    let (body, sig) = signed_event(n);
                    match sender.post(&body, &sig) {
                        Ok(200) => mine.push(n),
                        Ok(503) => {
                            shed.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    k += senders;
                }
                acked.lock().expect("acked").extend(mine);
            })
        })
        .collect();
    for s in storm {
        let _ = s.join();
    }
    let storm_took = started.elapsed();
    let acked: HashSet<u64> = acked.lock().expect("acked").iter().copied().collect();
    // Every acknowledged event must be answered: wait for the queue to drain (bounded).
    let drain_started = Instant::now();
    let answered = |api: &webex_bot_bench::FakeApi| {
        let r = api.replies.lock().expect("replies");
        acked.iter().filter(|n| r.contains_key(n)).count()
    };
    while answered(&api) < acked.len() && drain_started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let drained = drain_started.elapsed();
    stop_probe.store(true, Ordering::Relaxed);
    let (mut health_lat, health_failed) = probe.join().expect("probe");
    let peak_private = peak.finish();
    health_lat.sort_unstable();

    let replies = api.replies.lock().expect("replies").clone();
    let once = acked.iter().filter(|n| replies.get(n) == Some(&1)).count();
    let twice = acked
        .iter()
        .filter(|n| replies.get(n).is_some_and(|c| *c > 1))
        .count();
    let missing = acked.iter().filter(|n| !replies.contains_key(n)).count();
    let unasked = replies
        .keys()
        .filter(|n| **n >= first && !acked.contains(n))
        .count();
    drop(bot);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let shed_lines = logged.lines().filter(|l| l.contains("queue full")).count();

    let sent = acked.len() as u64 + shed.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "offered {sent} events in {:.1} s ({:.0}/s, {:.1}x capacity): acknowledged {}, shed with 503 {}, failed {}",
        storm_took.as_secs_f64(),
        sent as f64 / storm_took.as_secs_f64(),
        sent as f64 / storm_took.as_secs_f64() / cap,
        acked.len(),
        shed.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    println!(
        "health route: {} probes, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} over 100 ms, {health_failed} failed",
        health_lat.len(),
        ms(percentile(&health_lat, 0.5)),
        ms(percentile(&health_lat, 0.99)),
        ms(percentile(&health_lat, 1.0)),
        health_lat
            .iter()
            .filter(|d| **d > Duration::from_millis(100))
            .count(),
    );
    println!(
        "after the storm (drained in {:.1} s): answered once {once}, more than once {twice}, never {missing}; replies to events not acknowledged {unasked}",
        drained.as_secs_f64()
    );
    println!(
        "peak private memory {:.1} MiB; the bot logged {} lines, {shed_lines} of them about shed events",
        peak_private as f64 / 1024.0,
        logged.lines().count()
    );
}
