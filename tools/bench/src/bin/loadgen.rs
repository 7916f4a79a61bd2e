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
//! With `--syscalls strace` the bot runs under `strace -f -c` and the system calls it made
//! (every thread, start-up and shutdown included) are printed per command, in all and for
//! the most frequent; its CPU time is then inflated by the tracing, and so are its waits
//! on locks (threads slowed by the tracer meet more often). With `--syscalls perf`,
//! `perf stat` attached to the bot (the first replica) for the run only counts its system
//! calls (all, and futex, recvfrom and sendto), context switches, migrations between
//! CPUs and page faults with the kernel's tracepoints and software counters, which slow it
//! far less.
//!
//! With `--syscalls callgrind` the bot runs under valgrind's callgrind, which counts the
//! instructions it executes in user space (not the kernel's), from the run's start to its
//! end (`callgrind_control --zero`, then `--dump`): a count that does not move with the
//! machine's load, for comparing two builds where CPU time is too noisy. Under valgrind
//! the threads take turns on one core and the bot runs some 50 times slower, so run a
//! few thousand events; its times and memory are then valgrind's, not the bot's. valgrind
//! hides the CPU's SHA extensions, so the HMAC runs the portable code, several times the
//! instructions of what the bot runs natively. With `--callgrind-out PATH` the run's dump is
//! kept there (the last run's, for several), for `callgrind_annotate --inclusive=yes PATH`
//! to show where the instructions go (with `--floor`, the floor's run is the last).
//! valgrind takes more options from `VALGRIND_OPTS`: with `--cache-sim=yes
//! --branch-sim=yes` the dump also holds simulated cache misses and mispredicted branches
//! (`grep summary` on it, in the order of its `events` line).
//!
//! With `--store redis` the bot runs as `--replicas N` processes sharing a `redis-server`
//! started here (the senders take turns between the replicas, as a load balancer would),
//! and the Redis commands per bot command are printed, from Redis's own `INFO
//! commandstats` before and after the run; CPU time is then the replicas' together.
//!
//! With `--floor PATH` each run of the bot is followed by one of the floor program
//! (`target/release/floor`, `src/bin/floor.rs`) at the same concurrency and with the same
//! counting: what the three exchanges, the HMAC and two JSON parses cost on the machine
//! in the same minutes, against which the bot's figures can be read whatever the
//! machine's load.
//!
//! With `--bot A,B --rounds N` the builds take turns, each first in turn, N rounds (at each
//! concurrency, then the floor if asked), and a summary follows: per build its median,
//! lowest and highest CPU per command, its highest p99/p50 and failed and lost events, and
//! for each build after the first, in how many rounds it took less CPU than the first and
//! by how much on average. The machine's mood moves by more than most changes do, so
//! builds are compared this way, not by runs taken apart.
//!
//! The webhooks and the fake API's answers hold the few short fields the bot needs
//! (`--shape small`, the figures of the book). With `--shape webex` they have the size of
//! Webex's: its long ids, every field of a delivery and of a message, and its eight
//! response headers besides the content's, so that the cost of parsing a real delivery
//! and real answers shows.
//!
//! With `--api-host localhost` the bot is given the fake API by that name instead of
//! `127.0.0.1`, so that the cost of name lookups shows.
//!
//! ```sh
//! cargo build --release -p webex-bot-examples -p webex-bot-bench
//! target/release/loadgen --concurrency 8,64,512 --events 20000
//! target/release/loadgen --concurrency 8 --events 20000 --syscalls strace
//! target/release/loadgen --concurrency 8,64 --events 20000 --syscalls perf
//! target/release/loadgen --concurrency 8 --events 3000 --syscalls callgrind
//! target/release/loadgen --concurrency 8,64 --events 20000 --floor target/release/floor
//! target/release/loadgen --bot /tmp/echo-before,target/release/echo --rounds 10 --concurrency 8,64
//! target/release/loadgen --concurrency 64 --events 20000 --store redis --replicas 1,2,3
//! ```

use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webex_bot_bench::rounds::{self, Figures, Run};
use webex_bot_bench::{
    PrivatePeak, Sender, cpu_times, fake_api, options, percentile, rss_kib, signed_event,
    start_bot, usage,
};

/// Redis's count of each command it ran (`INFO commandstats`).
fn redis_calls(redis: &webex_bot::testing::RedisServer) -> std::collections::BTreeMap<String, u64> {
    let out = Command::new("redis-cli")
        .args(["-p", &redis.port().to_string(), "INFO", "commandstats"])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest.split(',').find_map(|f| f.strip_prefix("calls="))?;
            Some((name.to_owned(), calls.parse().ok()?))
        })
        .collect()
}

/// How system calls (or instructions) are counted, if they are.
#[derive(Clone, Copy, PartialEq)]
enum Count {
    None,
    /// `strace -f -c` over the bot's life (slows it; futex waits grow with the slowing).
    Strace,
    /// `perf stat` attached to the bot for the run only (the kernel's own counters).
    Perf,
    /// valgrind's callgrind: the bot's user-space instructions during the run.
    Callgrind,
}

fn run(
    bot_exe: &str,
    api_host: &str,
    concurrency: usize,
    events: u64,
    count: Count,
    store: Store,
) -> Figures {
    let syscalls = count == Count::Strace;
    let api = fake_api();
    let trace = std::env::temp_dir().join(format!("loadgen-strace-{}.txt", std::process::id()));
    let trace_arg = trace.to_string_lossy().into_owned();
    let callgrind_out = std::env::temp_dir().join(format!("loadgen-cg-{}", std::process::id()));
    let callgrind_arg = format!("--callgrind-out-file={}", callgrind_out.display());
    let command: Vec<&str> = match count {
        // Every thread's calls (-f), counted (-c), quietly, into a file.
        Count::Strace => vec!["strace", "-f", "-c", "-qq", "-o", &trace_arg, "--", bot_exe],
        Count::Callgrind => vec![
            "valgrind",
            "--tool=callgrind",
            "-q",
            &callgrind_arg,
            bot_exe,
        ],
        Count::None | Count::Perf => vec![bot_exe],
    };
    let redis = match store {
        Store::Memory => None,
        Store::Redis(_) => Some(webex_bot::testing::RedisServer::start().expect("redis-server")),
    };
    let url = redis.as_ref().map(|r| r.url());
    // The API by the name given (a name is looked up, an address is not).
    let base = format!("{}/v1", api.origin.replacen("127.0.0.1", api_host, 1));
    let mut env: Vec<(&str, &str)> = url
        .iter()
        .map(|u| ("WEBEX_REDIS_URL", u.as_str()))
        .collect();
    env.push(("WEBEX_BASE_URL", &base));
    let replicas = match store {
        Store::Memory => 1,
        Store::Redis(n) => n,
    };
    let (mut bot, port, ready_after) = start_bot(&command, &api, &env, None);
    // The other replicas (they are not traced).
    let others: Vec<_> = (1..replicas)
        .map(|_| start_bot(&[bot_exe], &api, &env, None))
        .collect();
    let mut addrs = vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))];
    addrs.extend(
        others
            .iter()
            .map(|(_, p, _)| std::net::SocketAddr::from(([127, 0, 0, 1], *p))),
    );
    let other_pids: Vec<u32> = others.iter().map(|(b, _, _)| b.0.id()).collect();
    // Under strace, the bot is strace's child.
    let pid = if syscalls {
        traced_child(bot.0.id())
    } else {
        bot.0.id()
    };
    let idle_rss = rss_kib(pid, "VmRSS:");
    // Of which private (heap, stacks, relocated data); the rest is shared file pages.
    let idle_anon = rss_kib(pid, "RssAnon:");

    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let lost = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(events as usize)));
    // User and system time of the bot's processes together.
    let cpu_all = || {
        std::iter::once(pid)
            .chain(other_pids.iter().copied())
            .map(cpu_times)
            .fold((Duration::ZERO, Duration::ZERO), |(u, s), (pu, ps)| {
                (u + pu, s + ps)
            })
    };
    let perf_out = std::env::temp_dir().join(format!("loadgen-perf-{}.txt", std::process::id()));
    let perf = (count == Count::Perf).then(|| PerfStat::attach(pid, &perf_out));
    if count == Count::Callgrind {
        callgrind_control(pid, "--zero");
    }
    let cpu_before = cpu_all();
    let calls_before = redis.as_ref().map(redis_calls);
    let private_peak = PrivatePeak::start(pid);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|i| {
            let bot_addr = addrs[i % addrs.len()];
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
    let (user_after, system_after) = cpu_all();
    let perf_counts = perf.map(PerfStat::finish);
    let instructions = (count == Count::Callgrind).then(|| {
        callgrind_control(pid, "--dump");
        callgrind_total(&callgrind_out)
    });
    let system = system_after.saturating_sub(cpu_before.1);
    let cpu = (user_after + system_after).saturating_sub(cpu_before.0 + cpu_before.1);
    let calls_after = redis.as_ref().map(redis_calls);
    let peak_anon = private_peak.finish();
    let mut lat = latencies.lock().expect("latencies").clone();
    lat.sort_unstable();
    let (failed, lost) = (failed.load(Ordering::Relaxed), lost.load(Ordering::Relaxed));
    let replies = lat.len();
    let peak_rss = rss_kib(pid, "VmHWM:");
    println!(
        "{concurrency:>11} {events:>7} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {failed:>6} {lost:>5} {:>10.1} {:>7.1} {:>9.2} {:>9.2} {:>9.1} {:>9.2} {:>8.1}",
        replies as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5).as_secs_f64() * 1000.0,
        percentile(&lat, 0.99).as_secs_f64() * 1000.0,
        percentile(&lat, 1.0).as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1e6 / replies.max(1) as f64,
        system.as_secs_f64() * 1e6 / replies.max(1) as f64,
        idle_rss as f64 / 1024.0,
        idle_anon as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        peak_anon as f64 / 1024.0,
        ready_after.as_secs_f64() * 1000.0,
    );
    if let (Some(before), Some(after)) = (calls_before, calls_after) {
        let per = |n: u64| n as f64 / replies.max(1) as f64;
        let mut rows: Vec<(String, u64)> = after
            .iter()
            .map(|(k, v)| (k.clone(), v.saturating_sub(*before.get(k).unwrap_or(&0))))
            .filter(|(k, v)| *v > 0 && k != "info")
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        let total: u64 = rows.iter().map(|r| r.1).sum();
        let listed: Vec<String> = rows
            .iter()
            .map(|(k, v)| format!("{k} {:.2}", per(*v)))
            .collect();
        println!(
            "            {replicas} replica(s) on Redis: Redis commands per bot command {:.2} (scripts' inner commands included): {}",
            per(total),
            listed.join(", ")
        );
    }
    if let Some(counts) = perf_counts {
        let per =
            |name: &str| counts.get(name).copied().unwrap_or(0) as f64 / replies.max(1) as f64;
        println!(
            "            per command (perf stat on the bot during the run): system calls {:.2}: futex {:.2}, recvfrom {:.2}, sendto {:.2}; context switches {:.2}, migrations {:.2}, page faults {:.3}",
            per("raw_syscalls:sys_enter"),
            per("syscalls:sys_enter_futex"),
            per("syscalls:sys_enter_recvfrom"),
            per("syscalls:sys_enter_sendto"),
            per("context-switches"),
            per("cpu-migrations"),
            per("page-faults"),
        );
    }
    if let Some(n) = instructions {
        println!(
            "            per command (callgrind, user space only, the run only): instructions {:.0}",
            n as f64 / replies.max(1) as f64
        );
    }
    if syscalls {
        // The bot exits on SIGTERM (gracefully); then strace writes its table and exits.
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let _ = bot.0.wait();
        print_syscalls(&trace, replies as u64);
        let _ = std::fs::remove_file(&trace);
    }
    Figures {
        cpu_us: cpu.as_secs_f64() * 1e6 / replies.max(1) as f64,
        sys_us: system.as_secs_f64() * 1e6 / replies.max(1) as f64,
        p50_ms: percentile(&lat, 0.5).as_secs_f64() * 1000.0,
        p99_ms: percentile(&lat, 0.99).as_secs_f64() * 1000.0,
        failed,
        lost,
    }
}

/// `perf stat` counting a process's system calls and context switches.
struct PerfStat {
    child: std::process::Child,
    out: std::path::PathBuf,
}

impl PerfStat {
    const EVENTS: &str = "raw_syscalls:sys_enter,syscalls:sys_enter_futex,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,context-switches,cpu-migrations,page-faults";

    /// Attaches perf, counting from when it acknowledges (its control FIFOs, with
    /// counting disabled until told).
    fn attach(pid: u32, out: &std::path::Path) -> PerfStat {
        use std::io::{BufRead, Write};
        let ctl = out.with_extension("ctl");
        let ack = out.with_extension("ack");
        for fifo in [&ctl, &ack] {
            let _ = std::fs::remove_file(fifo);
            let made = Command::new("mkfifo").arg(fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", fifo.display());
        }
        let child = Command::new("perf")
            .args(["stat", "-x", ",", "-e", Self::EVENTS, "-D", "-1", "-o"])
            .arg(out)
            .arg(format!(
                "--control=fifo:{},{}",
                ctl.display(),
                ack.display()
            ))
            .args(["-p", &pid.to_string()])
            .spawn()
            .expect("perf (linux-perf) to count system calls");
        // Opening the FIFOs waits for perf to open its ends.
        let mut control = std::fs::OpenOptions::new()
            .write(true)
            .open(&ctl)
            .expect("perf's control FIFO");
        control.write_all(b"enable\n").expect("perf's control FIFO");
        let mut line = String::new();
        std::io::BufReader::new(std::fs::File::open(&ack).expect("perf's ack FIFO"))
            .read_line(&mut line)
            .expect("perf's ack FIFO");
        assert!(line.starts_with("ack"), "perf answered {line:?}");
        for fifo in [&ctl, &ack] {
            let _ = std::fs::remove_file(fifo);
        }
        PerfStat {
            child,
            out: out.to_owned(),
        }
    }

    /// Stops counting (SIGINT, on which perf writes its counts); the count of each event.
    fn finish(mut self) -> std::collections::BTreeMap<String, u64> {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        let _ = std::fs::remove_file(&self.out);
        // CSV: value,unit,event,...
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Some((f.get(2)?.to_string(), f.first()?.parse().ok()?))
            })
            .collect()
    }
}

/// Sends callgrind, running the bot as `pid`, a command (`--zero` or `--dump`); callgrind
/// carries it out the next time one of the bot's threads runs.
fn callgrind_control(pid: u32, what: &str) {
    let done = Command::new("callgrind_control")
        .args([what, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    assert!(
        done.is_ok_and(|s| s.success()),
        "callgrind_control {what} {pid} (valgrind installed?)"
    );
}

/// Where `--callgrind-out` asked for callgrind's dump to be kept, for `callgrind_annotate`.
static KEEP_PROFILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The instructions counted in callgrind's dump (`OUT.1`, the part written by `--dump`),
/// which is removed with the file written at exit unless `--callgrind-out` was given.
fn callgrind_total(out: &std::path::Path) -> u64 {
    let dump = std::path::PathBuf::from(format!("{}.1", out.display()));
    let text = std::fs::read_to_string(&dump).unwrap_or_default();
    match KEEP_PROFILE.get() {
        Some(keep) => {
            std::fs::rename(&dump, keep).unwrap_or_else(|e| panic!("keeping the dump: {e}"))
        }
        None => {
            let _ = std::fs::remove_file(&dump);
        }
    }
    // The bot is killed at the end of the run: callgrind writes nothing more.
    let _ = std::fs::remove_file(out);
    text.lines()
        .find_map(|l| l.strip_prefix("summary:"))
        // Instructions come first; a cache or branch simulation (`VALGRIND_OPTS`) adds
        // its counts after them.
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no summary in {}", dump.display()))
}

/// The first child process of `pid` (the program strace runs).
fn traced_child(pid: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        if let Some(child) = children
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok())
        {
            return child;
        }
        assert!(Instant::now() < deadline, "strace started no bot");
        std::thread::yield_now();
    }
}

/// Prints strace's count of system calls per command, in all and for the most frequent.
/// The count covers the bot's whole life, start-up and shutdown included (a few hundred
/// calls, amortised over the run's commands).
fn print_syscalls(trace: &std::path::Path, commands: u64) {
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    let mut rows: Vec<(String, u64, u64)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // % time, seconds, usecs/call, calls, [errors], name
        if f.len() < 5 || f[0].parse::<f64>().is_err() {
            continue;
        }
        let calls = f[3].parse().unwrap_or(0);
        let errors = if f.len() == 6 {
            f[4].parse().unwrap_or(0)
        } else {
            0
        };
        rows.push((f[f.len() - 1].to_owned(), calls, errors));
    }
    let per = |n: u64| n as f64 / commands.max(1) as f64;
    let Some((_, total, total_errors)) = rows.iter().find(|r| r.0 == "total").cloned() else {
        eprintln!("loadgen: no strace summary in {}", trace.display());
        return;
    };
    let mut calls: Vec<_> = rows.into_iter().filter(|r| r.0 != "total").collect();
    calls.sort_by_key(|c| std::cmp::Reverse(c.1));
    let top: Vec<String> = calls
        .iter()
        .take(8)
        .map(|(name, n, e)| {
            if *e > 0 {
                format!("{name} {:.2} ({:.2} failed)", per(*n), per(*e))
            } else {
                format!("{name} {:.2}", per(*n))
            }
        })
        .collect();
    println!(
        "            system calls per command (strace -f -c, every thread of the bot): {:.1}, of which {:.1} failed; {}",
        per(total),
        per(total_errors),
        top.join(", ")
    );
}

/// Where the bot keeps what replicas share.
#[derive(Clone, Copy)]
enum Store {
    /// Its own memory (one process).
    Memory,
    /// A `redis-server`, shared by this many replicas.
    Redis(usize),
}

fn main() {
    let mut concurrency = vec![8usize, 64, 512];
    let mut count = Count::None;
    let mut events = 20_000u64;
    let mut redis = false;
    let mut replicas = vec![1usize];
    let mut api_host = "127.0.0.1".to_owned();
    let mut floor = None;
    let mut round_count = 1usize;
    let (bot, options) = options();
    for (name, v) in options {
        match name.as_str() {
            "--concurrency" => concurrency = v.split(',').filter_map(|c| c.parse().ok()).collect(),
            "--events" => events = v.parse().unwrap_or(events),
            "--syscalls" if v == "strace" => count = Count::Strace,
            "--syscalls" if v == "perf" => count = Count::Perf,
            "--syscalls" if v == "callgrind" => count = Count::Callgrind,
            "--api-host" => api_host = v,
            "--floor" => floor = Some(v),
            "--rounds" => round_count = v.parse().unwrap_or(round_count).max(1),
            "--shape" if v == "webex" || v == "small" => webex_bot_bench::webex_sized(v == "webex"),
            "--callgrind-out" => {
                let _ = KEEP_PROFILE.set(v);
            }
            "--store" if v == "redis" || v == "memory" => redis = v == "redis",
            "--replicas" => {
                replicas = v
                    .split(',')
                    .filter_map(|c| c.parse().ok())
                    .filter(|n| *n > 0)
                    .collect()
            }
            _ => usage(
                "loadgen [--concurrency 8,64,512] [--events N] [--syscalls strace|perf|callgrind] [--callgrind-out PATH] [--floor PATH] [--rounds N] [--shape small|webex] [--store memory|redis] [--replicas 1,2,3] [--api-host localhost] [--bot PATH[,PATH...]]",
            ),
        }
    }
    println!(
        "{:>11} {:>7} {:>10} {:>9} {:>9} {:>9} {:>6} {:>5} {:>10} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "concurrency",
        "events",
        "cmds/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "failed",
        "lost",
        "cpu us/cmd",
        "of sys",
        "idle MiB",
        "priv MiB",
        "peak MiB",
        "peak priv",
        "ready ms"
    );
    // Several builds take turns, each first in turn, round after round.
    let bots: Vec<String> = bot.split(',').map(str::to_owned).collect();
    let mut runs = Vec::new();
    for round in 0..round_count {
        for &c in &concurrency {
            for b in rounds::order(bots.len(), round) {
                let exe = &bots[b];
                if redis {
                    for &n in &replicas {
                        let count = if n == 1 || count == Count::Perf {
                            count
                        } else {
                            Count::None
                        };
                        run(exe, &api_host, c, events, count, Store::Redis(n));
                    }
                    continue;
                }
                let figures = run(exe, &api_host, c, events, count, Store::Memory);
                if bots.len() > 1 {
                    println!("            ^ {exe}");
                }
                runs.push(Run {
                    round,
                    concurrency: c,
                    program: b,
                    figures,
                });
            }
            if !redis && let Some(floor) = &floor {
                let figures = run(floor, &api_host, c, events, count, Store::Memory);
                println!("            ^ the floor program ({floor}) in the same minutes");
                runs.push(Run {
                    round,
                    concurrency: c,
                    program: bots.len(),
                    figures,
                });
            }
        }
    }
    if (round_count > 1 || bots.len() > 1) && !runs.is_empty() {
        let mut names = bots.clone();
        names.extend(floor.iter().map(|f| format!("floor: {f}")));
        println!(
            "\nsummary: CPU per command (µs) over {round_count} round(s), each build first in turn"
        );
        for line in rounds::summary(&names, bots.len(), &runs) {
            println!("{line}");
        }
    }
}
