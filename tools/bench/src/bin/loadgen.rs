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

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot_bench::{
    PrivatePeak, Sender, cpu_time, fake_api, options, percentile, rss_kib, signed_event, start_bot,
    usage,
};

fn run(bot_exe: &str, concurrency: usize, events: u64) {
    let api = fake_api();
    let (bot, port, ready_after) = start_bot(bot_exe, &api, &[], None);
    let pid = bot.0.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    // Of which private (heap, stacks, relocated data); the rest is shared file pages.
    let idle_anon = rss_kib(pid, "RssAnon:");

    let bot_addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let lost = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(events as usize)));
    let cpu_before = cpu_time(pid);
    let private_peak = PrivatePeak::start(pid);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (next, failed, lost, latencies, waiting) = (
                next.clone(),
                failed.clone(),
                lost.clone(),
                latencies.clone(),
                api.waiting.clone(),
            );
            std::thread::spawn(move || {
                let mut sender = Sender::new(bot_addr);
                let mut mine = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        break;
                    }
                    let (body, sig) = signed_event(n);
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
    let (bot, options) = options();
    for (name, v) in options {
        match name.as_str() {
            "--concurrency" => concurrency = v.split(',').filter_map(|c| c.parse().ok()).collect(),
            "--events" => events = v.parse().unwrap_or(events),
            _ => usage("loadgen [--concurrency 8,64,512] [--events N] [--bot PATH]"),
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
