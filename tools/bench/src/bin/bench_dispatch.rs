//! Benchmark of command parsing and dispatch: per-message time to strip the mention, find
//! the command among 10 or 200 and read its typed arguments.
//!
//! `cargo run --release -p webex-bot-bench --bin bench_dispatch`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use webex_bot::args::{ArgError, ArgKind, Args, CommandInput, CommandSpec, Piece};
use webex_bot::bot::CommandError;
use webex_bot::models::Message;
use webex_bot::{BotIdentity, Commands};
use webex_bot::{Client, Context, Reply};

/// Counts heap allocations, to show what dispatching a message allocates.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn read(args: &Args<'_>) -> Result<(u32, Option<String>), ArgError> {
    let id = webex_bot::__private::required::<u32>(args, 0, "id")?;
    let status = webex_bot::__private::optional::<String>(args, 1, "status")?;
    Ok((id, status))
}

fn check(_: &Context, args: &Args<'_>) -> Result<(), ArgError> {
    read(args).map(drop)
}

fn call(_: &Context, args: &Args<'_>) -> Result<Reply, CommandError> {
    let (id, status) = read(args)?;
    black_box((id, status));
    Ok(Reply::none())
}

/// `n` commands: `wordK <id> [status]`, half of them with a second literal word.
fn table(n: usize) -> Commands {
    let list = (0..n)
        .map(|i| {
            let first: &'static str = Box::leak(format!("word{i}").into_boxed_str());
            let pieces: &'static [Piece] = if i % 2 == 0 {
                Box::leak(Box::new([
                    Piece::literal(first),
                    Piece::arg("id", ArgKind::Required),
                    Piece::arg("status", ArgKind::Optional),
                ]))
            } else {
                Box::leak(Box::new([
                    Piece::literal(first),
                    Piece::literal("show"),
                    Piece::arg("id", ArgKind::Required),
                    Piece::arg("status", ArgKind::Optional),
                ]))
            };
            let pattern: &'static str =
                Box::leak(format!("{first} ... <id> [status]").into_boxed_str());
            let spec: &'static CommandSpec =
                Box::leak(Box::new(CommandSpec::new(first, pattern, pieces)));
            webex_bot::__private::command_from(spec, check, call)
        })
        .collect();
    Commands::new(list)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let bot = BotIdentity::new("Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Q", "Bench Bot");
    let ctx = Context::new(Client::new("unused"), Message::default(), bot.clone());
    println!(
        "{:>9} {:>28} {:>10} {:>10} {:>10} {:>11}",
        "commands", "message", "median ns", "p99 ns", "msgs/s", "allocs/msg"
    );
    for n in [10usize, 200] {
        let dispatcher = table(n).compile().expect("no conflicts");
        let k = n - 1;
        let texts = [
            format!("word{} 42", k - 1),
            format!("word{k} show 42 open"),
            "something unknown here".to_owned(),
            format!("Bench word{} 7", k - 1),
        ];
        for text in &texts {
            let rounds = 200_000;
            let mut times = Vec::with_capacity(rounds);
            let allocs_before = ALLOCATIONS.load(Ordering::Relaxed);
            let start_all = Instant::now();
            for _ in 0..rounds {
                let t = Instant::now();
                let input = CommandInput::from_parts(
                    black_box(text),
                    None,
                    &bot,
                    text.starts_with("Bench"),
                );
                let d = dispatcher.dispatch(&ctx, &input);
                black_box(&d);
                times.push(t.elapsed().as_nanos() as u64);
            }
            let total = start_all.elapsed();
            let allocs =
                (ALLOCATIONS.load(Ordering::Relaxed) - allocs_before) as f64 / rounds as f64;
            times.sort_unstable();
            println!(
                "{n:>9} {:>28} {:>10} {:>10} {:>10.0} {allocs:>11.2}",
                format!("{text:?}"),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                rounds as f64 / total.as_secs_f64()
            );
        }
    }
}
