//! The acceptor: takes new connections up to the limit, closes the longest-waiting one to
//! admit another at the limit, backs off when descriptors run out, and starts a thread per
//! connection.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::handoff::{self, Slot};
use super::{CLOSING, ConnState, Conns, Inner};

/// How often a failing accept is logged at most.
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The connections waiting for a request, not being closed already.
fn evictable(conns: &Conns) -> impl Iterator<Item = &Arc<ConnState>> {
    conns
        .map
        .values()
        .filter(|c| !c.busy.load(Ordering::SeqCst))
        .filter(|c| c.idle_since.load(Ordering::SeqCst) != CLOSING)
}

/// Closes the connection that has waited longest for a request, if one is waiting (none
/// when every connection has a request in progress).
fn evict_longest_idle(shared: &Inner, conns: &Conns) {
    let victim = evictable(conns).min_by_key(|c| c.idle_since.load(Ordering::SeqCst));
    let Some(victim) = victim else {
        return;
    };
    victim.idle_since.store(CLOSING, Ordering::SeqCst);
    let _ = victim.stream.shutdown(std::net::Shutdown::Both);
    let n = shared.evicted.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_power_of_two() {
        log::info!(
            "{}: at {} connections: closed the longest-idle one to admit a new one ({n} so far)",
            shared.config.name,
            shared.config.max_connections
        );
    }
}

pub(super) fn accept_loop(shared: &Arc<Inner>, listener: &TcpListener) {
    // Failed accepts in a row, when the last line about them was logged, and how many
    // came since without a line.
    let mut failures: u32 = 0;
    let mut logged: Option<Instant> = None;
    let mut unlogged: u64 = 0;
    loop {
        {
            let mut conns = shared.conns.lock().expect("connections");
            // At the limit with every connection busy, new ones wait in the backlog until
            // one finishes; with one waiting for a request, the next is accepted and that
            // one closed to make room.
            while conns.map.len() >= shared.config.max_connections
                && !shared.stopping.load(Ordering::SeqCst)
                && evictable(&conns).next().is_none()
            {
                conns = shared.changed.wait(conns).expect("connections");
            }
        }
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        match listener.accept() {
            Ok((stream, peer)) => {
                failures = 0;
                if shared.stopping.load(Ordering::SeqCst) {
                    return;
                }
                {
                    let conns = shared.conns.lock().expect("connections");
                    if conns.map.len() >= shared.config.max_connections {
                        evict_longest_idle(shared, &conns);
                    }
                }
                start_connection(shared, stream, peer);
            }
            Err(_) if shared.stopping.load(Ordering::SeqCst) => return,
            Err(e) => match e.kind() {
                io::ErrorKind::Interrupted
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset => {}
                _ => {
                    // Out of file descriptors and the like: free one by closing the
                    // longest-idle connection, back off (20 ms doubling to 640 ms) and try
                    // again rather than stop serving; one line per 10 s at most.
                    failures = failures.saturating_add(1);
                    let now = Instant::now();
                    if logged.is_none_or(|t| now.duration_since(t) >= ACCEPT_LOG_INTERVAL) {
                        log::error!(
                            "{}: accept failed: {e} ({unlogged} more failures since the last such line); closing the longest-idle connection and retrying",
                            shared.config.name
                        );
                        logged = Some(now);
                        unlogged = 0;
                    } else {
                        unlogged += 1;
                    }
                    let conns = shared.conns.lock().expect("connections");
                    // One at a time: a closed connection's descriptor is free only once its
                    // thread has ended, which wakes this wait.
                    let closing = conns
                        .map
                        .values()
                        .any(|c| c.idle_since.load(Ordering::SeqCst) == CLOSING);
                    if !closing {
                        evict_longest_idle(shared, &conns);
                    }
                    let pause = Duration::from_millis(10 << failures.min(6));
                    let _ = shared
                        .changed
                        .wait_timeout(conns, pause)
                        .expect("connections");
                }
            },
        }
    }
}

fn start_connection(shared: &Arc<Inner>, stream: TcpStream, peer: SocketAddr) {
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let state = Arc::new(ConnState {
        stream,
        peer,
        slot: Slot::default(),
        busy: AtomicBool::new(false),
        idle_since: AtomicU64::new(shared.now()),
    });
    {
        let mut conns = shared.conns.lock().expect("connections");
        conns.map.insert(id, state.clone());
        shared.open.store(conns.map.len(), Ordering::SeqCst);
    }
    if let Err(e) = handoff::spawn_serving(shared, id, state, None) {
        log::error!("{}: no thread for {peer}: {e}", shared.config.name);
        shared.remove(id);
    }
}
