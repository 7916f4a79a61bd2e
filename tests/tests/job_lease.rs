//! A periodic job's lease passing when its holder dies: two bot processes sharing a real
//! `redis-server` run one job; only one of them runs it; killed with SIGKILL, the other
//! takes it over once the dead holder's lease expires (two periods). The period is 300 ms, so that a
//! tick delayed on a loaded machine does not let the lease lapse under a live holder.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use webex_bot::emulator::Emulator;
use webex_bot::models::{NewMembership, NewRoom};
use webex_bot::testing::RedisServer;

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ticks(emu: &Emulator, room: &str) -> Vec<u32> {
    emu.messages_in(room)
        .iter()
        .filter_map(|m| m.text.as_deref()?.strip_prefix("tick from ")?.parse().ok())
        .collect()
}

fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_jobs_lease_passes_to_another_replica_when_its_holder_is_killed() {
    let emu = Emulator::builder()
        .bot_with_token("Ticker", "ticker@webex.bot", Some("TICKER"))
        .user("Alice", "alice@example.com")
        .start()
        .unwrap();
    let alice = emu.client_for(&emu.users()[0]);
    let room = alice.rooms().create(&NewRoom::new("Ticks")).unwrap();
    alice
        .memberships()
        .create(&NewMembership::by_id(&room.id, &emu.bot().id))
        .unwrap();
    let redis = RedisServer::start().expect("redis-server starts (.ci/run installs it)");
    let start = || {
        Killed(
            Command::new(env!("CARGO_BIN_EXE_ticker"))
                .env("WEBEX_ACCESS_TOKEN", "TICKER")
                .env("WEBEX_BASE_URL", emu.base_url())
                .env("WEBEX_WEBHOOK_SECRET", "shared")
                .env("WEBEX_LISTEN", "127.0.0.1:0")
                .env("WEBEX_REDIS_URL", redis.url())
                .env("TICK_ROOM", &room.id)
                .env("TICK_MS", "300")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let mut replicas = [Some(start()), Some(start())];
    until("ten ticks", || ticks(&emu, &room.id).len() >= 10);
    let before = ticks(&emu, &room.id);
    let holder = before[0];
    assert!(
        before.iter().all(|p| *p == holder),
        "one replica at a time: {before:?}"
    );
    let (i, other) = {
        let pids: Vec<u32> = replicas
            .iter()
            .map(|r| r.as_ref().unwrap().0.id())
            .collect();
        let i = pids
            .iter()
            .position(|p| *p == holder)
            .expect("a replica holds it");
        (i, pids[1 - i])
    };
    let killed_at = Instant::now();
    let victim = replicas[i].take().unwrap();
    let _ = Command::new("kill")
        .args(["-KILL", &holder.to_string()])
        .status();
    drop(victim);
    until("the other replica takes the job over", || {
        ticks(&emu, &room.id).contains(&other)
    });
    let gap = killed_at.elapsed();
    println!("the job passed on {gap:?} after its holder was killed (period 300 ms, lease 600 ms)");
    let after = ticks(&emu, &room.id);
    let n = after.len();
    until("five more ticks", || ticks(&emu, &room.id).len() >= n + 5);
    let later = ticks(&emu, &room.id);
    assert!(later[n..].iter().all(|p| *p == other), "{later:?}");
}
