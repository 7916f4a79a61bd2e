//! Work a connection's thread does after a response, and the hand-off of the connection
//! to a new thread when that work runs long.
//!
//! A handler may leave work to run once its response is written (the bot processes an
//! acknowledged event so, saving a hand-off to a worker thread). While it runs, nothing
//! reads the connection, and its client may send the next request as soon as it has the
//! response. So the connection's state (the bytes read but not consumed) is parked in its
//! slot first; a watchdog thread, running only while such work runs, moves a connection
//! parked longer than [`HAND_OFF_AFTER`] to a new thread, which serves its next requests.
//! The first thread, when its work ends, takes the connection back if it is still parked,
//! or ends. Whoever takes the parked state serves the connection: never two threads, never
//! none.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use super::conn::{self, Ended, Parked};
use super::{ConnState, Inner};

/// How long work after a response may hold its connection before the connection is served
/// on a new thread: a request arriving meanwhile waits at most about this (plus
/// [`CHECK_EVERY`]).
pub(super) const HAND_OFF_AFTER: Duration = Duration::from_millis(20);

/// How often the watchdog looks, while work after a response runs.
const CHECK_EVERY: Duration = Duration::from_millis(10);

/// A connection's place for its parked state.
#[derive(Default)]
pub(crate) struct Slot {
    /// The state, while work runs after a response; taken by whoever serves the
    /// connection next.
    parked: Mutex<Option<Parked>>,
    /// When the state was parked (the server's clock, at least 1); 0 when not parked.
    /// Written only under `parked`'s lock, so read under it, it is exact; read without
    /// it, the watchdog's quick look.
    since: AtomicU64,
}

impl Slot {
    /// Parks a connection's state while its thread works.
    pub(super) fn park(&self, state: Parked, now: u64) {
        let mut p = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        *p = Some(state);
        self.since.store(now.max(1), Ordering::SeqCst);
    }

    /// Takes the parked state back: `None` when the watchdog moved it to another thread.
    pub(super) fn unpark(&self) -> Option<Parked> {
        let mut p = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = p.take();
        if taken.is_some() {
            self.since.store(0, Ordering::SeqCst);
        }
        taken
    }

    /// Whether the state was parked at or before `before` (a look without the lock).
    fn parked_by(&self, before: u64) -> bool {
        let since = self.since.load(Ordering::SeqCst);
        since != 0 && since <= before
    }

    /// Takes the state if it was parked at or before `before`.
    fn take_if_parked_by(&self, before: u64) -> Option<Parked> {
        if !self.parked_by(before) {
            return None;
        }
        let mut p = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        // Looked at again under the lock: the state may have been taken back, and parked
        // anew, since the look above.
        if !self.parked_by(before) {
            return None;
        }
        self.since.store(0, Ordering::SeqCst);
        p.take()
    }
}

/// The watchdog's state: how many connections' threads work after a response now (counted
/// without the lock, which is taken only to wake the watchdog when the count leaves 0).
#[derive(Default)]
pub(super) struct Watch {
    working: AtomicUsize,
    thread: Mutex<Thread>,
    wake: Condvar,
}

/// The watchdog thread's state.
#[derive(Default)]
struct Thread {
    running: bool,
    /// Waiting on `wake` (a notification is a system call: made only then).
    resting: bool,
}

impl Watch {
    /// Wakes the watchdog to end (the server stops). Under the lock, so that it cannot
    /// miss the wake between looking at `stopping` and resting.
    pub(super) fn stop(&self) {
        let _st = lock(self);
        self.wake.notify_all();
    }
}

/// Starts a thread serving connection `id`: a new one (`parked_by` None), or one whose
/// state was parked at or before `parked_by` while its thread works after a response. The
/// thread takes that state; when the working thread took it back first, it ends at once.
pub(super) fn spawn_serving(
    shared: &Arc<Inner>,
    id: u64,
    state: Arc<ConnState>,
    parked_by: Option<u64>,
) -> std::io::Result<()> {
    let thread_shared = shared.clone();
    std::thread::Builder::new()
        .name(format!("{}-conn", shared.config.name))
        .stack_size(shared.config.stack_size)
        .spawn(move || {
            let mut resume = match parked_by {
                None => Parked::default(),
                Some(before) => match state.slot.take_if_parked_by(before) {
                    Some(p) => p,
                    None => return,
                },
            };
            loop {
                match conn::serve(&thread_shared, &state, resume) {
                    Ended::Closed => break,
                    Ended::Work(work, parked) => {
                        match work_parked(&thread_shared, &state.slot, parked, work) {
                            Some(back) => resume = back,
                            // Another thread serves the connection now.
                            None => return,
                        }
                    }
                }
            }
            // A thread the connection moved from may hold it still, while it works: the
            // socket must close now all the same (the map and this thread hold two).
            if Arc::strong_count(&state) > 2 {
                let _ = state.stream.shutdown(std::net::Shutdown::Both);
            }
            // The map's reference is the last: its removal closes the socket, before the
            // acceptor, woken by it, counts on the descriptor being free.
            drop(state);
            thread_shared.remove(id);
        })
        .map(drop)
}

/// Runs `work` on this connection's thread with its state parked in `slot`; the state back,
/// or `None` when the connection went to another thread meanwhile.
fn work_parked(shared: &Inner, slot: &Slot, state: Parked, work: super::After) -> Option<Parked> {
    slot.park(state, shared.now());
    begin(shared);
    conn::run_after(shared, Some(work));
    end(shared);
    slot.unpark()
}

/// Counts one more connection working, starting the watchdog or waking it from its rest.
fn begin(shared: &Inner) {
    if shared.watch.working.fetch_add(1, Ordering::SeqCst) > 0 {
        return;
    }
    let mut thread = lock(&shared.watch);
    if thread.running {
        if thread.resting {
            shared.watch.wake.notify_all();
        }
        return;
    }
    let Some(me) = shared.me.upgrade() else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name(format!("{}-handoff", shared.config.name))
        .spawn(move || watch(&me));
    match spawned {
        Ok(_) => thread.running = true,
        // The connection waits for its work instead: slower, nothing lost.
        Err(e) => log::error!("{}: no watchdog thread: {e}", shared.config.name),
    }
}

fn end(shared: &Inner) {
    shared.watch.working.fetch_sub(1, Ordering::SeqCst);
}

fn lock(watch: &Watch) -> std::sync::MutexGuard<'_, Thread> {
    watch.thread.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The watchdog: while connections' threads work, moves each connection parked too long to
/// a new thread. It rests (no timer) while none works and ends when the server stops.
fn watch(shared: &Arc<Inner>) {
    let threshold = HAND_OFF_AFTER.as_nanos() as u64;
    loop {
        {
            let mut thread = lock(&shared.watch);
            while shared.watch.working.load(Ordering::SeqCst) == 0 {
                if shared.stopping.load(Ordering::SeqCst) {
                    thread.running = false;
                    return;
                }
                thread.resting = true;
                thread = shared
                    .watch
                    .wake
                    .wait(thread)
                    .unwrap_or_else(PoisonError::into_inner);
                thread.resting = false;
            }
        }
        std::thread::sleep(CHECK_EVERY);
        let Some(before) = shared.now().checked_sub(threshold) else {
            continue;
        };
        let due: Vec<(u64, Arc<ConnState>)> = {
            let conns = shared.conns.lock().expect("connections");
            conns
                .map
                .iter()
                .filter(|(_, c)| c.slot.parked_by(before))
                .map(|(id, c)| (*id, c.clone()))
                .collect()
        };
        for (id, conn) in due {
            // The new thread takes the parked state itself, so that nothing is lost when
            // no thread can be had (the working one keeps the connection) and nothing is
            // served twice when the working one took it back meanwhile (the new one ends).
            if let Err(e) = spawn_serving(shared, id, conn, Some(before)) {
                log::error!(
                    "{}: no thread to hand a connection to: {e}",
                    shared.config.name
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::thread::ThreadId;

    use crossbeam_channel::{Receiver, Sender, unbounded};

    use super::super::{After, Reply, Response, Server};
    use super::*;

    const WAIT: Duration = Duration::from_secs(20);

    /// A server whose every response to `/work` leaves work that reports its start, waits
    /// to be released and reports its end; each response's body names the thread that
    /// served it.
    struct Working {
        server: Server,
        started: Receiver<ThreadId>,
        release: Sender<()>,
        finished: Receiver<()>,
    }

    fn working_server() -> Working {
        let (started_tx, started) = unbounded();
        let (release, release_rx) = unbounded::<()>();
        let (finished_tx, finished) = unbounded();
        let server = Server::builder()
            .bind_replies("127.0.0.1:0", move |req| {
                let me = format!("{:?}", std::thread::current().id());
                let after = (req.path() == "/work").then(|| {
                    let (started, release) = (started_tx.clone(), release_rx.clone());
                    let finished = finished_tx.clone();
                    Box::new(move || {
                        started.send(std::thread::current().id()).unwrap();
                        release.recv_timeout(WAIT).unwrap();
                        finished.send(()).unwrap();
                    }) as After
                });
                Reply {
                    response: Response::text(200, me),
                    after,
                }
            })
            .unwrap();
        Working {
            server,
            started,
            release,
            finished,
        }
    }

    /// Sends a GET on `conn` and reads its response's body.
    fn get(conn: &mut BufReader<TcpStream>, path: &str) -> String {
        write!(conn.get_mut(), "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(conn.read_line(&mut line).unwrap() > 0, "closed");
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        conn.read_exact(&mut body).unwrap();
        String::from_utf8(body).unwrap()
    }

    fn connect(server: &Server) -> BufReader<TcpStream> {
        let s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        BufReader::new(s)
    }

    #[test]
    fn work_runs_on_the_connections_thread_once_its_response_is_written() {
        let w = working_server();
        let mut conn = connect(&w.server);
        // The response is read while the work waits: it was written before the work began.
        let served_by = get(&mut conn, "/work");
        let worker = w.started.recv_timeout(WAIT).unwrap();
        assert_eq!(format!("{worker:?}"), served_by);
        w.release.send(()).unwrap();
        w.finished.recv_timeout(WAIT).unwrap();
        assert!(get(&mut conn, "/").starts_with("ThreadId("));
    }

    #[test]
    fn a_request_arriving_while_the_work_runs_is_served_by_another_thread() {
        let Working {
            server,
            started,
            release,
            finished,
        } = working_server();
        let mut conn = connect(&server);
        let first = get(&mut conn, "/work");
        started.recv_timeout(WAIT).unwrap();
        // The work still waits; the next request is answered all the same, elsewhere.
        let second = get(&mut conn, "/");
        assert_ne!(first, second);
        // And work of the new thread's own is handed off in its turn.
        let third = get(&mut conn, "/work");
        assert_eq!(third, second);
        started.recv_timeout(WAIT).unwrap();
        let fourth = get(&mut conn, "/");
        assert_ne!(fourth, third);
        release.send(()).unwrap();
        release.send(()).unwrap();
        finished.recv_timeout(WAIT).unwrap();
        finished.recv_timeout(WAIT).unwrap();
        // One thread serves the connection from now on: requests keep being answered, and
        // the connection is counted once, and closes when the client goes.
        for _ in 0..3 {
            get(&mut conn, "/");
        }
        assert_eq!(server.open_connections(), 1);
        drop(conn);
        let deadline = std::time::Instant::now() + WAIT;
        while server.open_connections() > 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(server.open_connections(), 0);
    }

    #[test]
    fn stopping_the_server_waits_for_no_work_and_the_work_finishes() {
        let mut w = working_server();
        let mut conn = connect(&w.server);
        get(&mut conn, "/work");
        w.started.recv_timeout(WAIT).unwrap();
        // The connection waits for its next request while the work runs: stop closes it
        // and returns, cutting nothing, with the work still running.
        assert_eq!(w.server.stop_within(WAIT), 0);
        assert_eq!(w.server.open_connections(), 0);
        let mut rest = Vec::new();
        assert_eq!(
            conn.read_to_end(&mut rest).unwrap(),
            0,
            "closed, nothing sent"
        );
        assert!(w.finished.try_recv().is_err());
        w.release.send(()).unwrap();
        w.finished.recv_timeout(WAIT).unwrap();
    }
}
