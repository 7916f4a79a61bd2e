//! A small blocking HTTP/1.1 server: the bot's webhook listener and the emulator run on it.
//!
//! One thread per connection, spawned when the connection is accepted and ended when it
//! closes, so a request never waits for a thread that another connection holds. Kept-alive
//! connections are closed after an idle timeout, every read and write has a timeout, the
//! number of open connections is bounded (past it, new connections wait in the kernel's
//! backlog instead of being refused), and a body over the limit is answered `413` before it
//! is read. [`Server::stop`] stops accepting, closes idle connections at once and lets
//! requests in progress finish.
//!
//! Requests are parsed with [`httparse`]; bodies may come with `Content-Length` or chunked,
//! and `Expect: 100-continue` is honoured.
//!
//! ```
//! use webex_bot::unversioned::server::{Response, Server};
//!
//! let server = Server::builder()
//!     .bind("127.0.0.1:0", |req| Response::text(200, format!("you asked for {}", req.path())))
//!     .unwrap();
//! let url = format!("http://{}/hello?x=1", server.local_addr());
//! let body = ureq::get(&url).call().unwrap().body_mut().read_to_string().unwrap();
//! assert_eq!(body, "you asked for /hello");
//! server.stop();
//! ```
//!
//! Why not tiny_http: its 0.12 thread pool can leave a new connection queued with no thread
//! to serve it while every thread holds an idle keep-alive connection (it has no idle
//! timeout), which stalls webhook deliveries for good; `tests/tests/server.rs` checks that
//! new connections are served while others sit idle.

mod accept;
mod conn;
mod handoff;
pub(crate) mod message;
mod replay;
mod rules;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use message::{Request, Response};

/// What the server calls for every request, on the connection's thread.
type Handler = dyn Fn(Request) -> Reply + Send + Sync;

/// Work for the connection's thread once a response is written.
pub(crate) type After = Box<dyn FnOnce() + Send>;

/// A response, and work for the connection's thread to do once it is written. The work
/// runs whatever became of the response. While it runs, the connection waits for its next
/// request as between requests (the first to be closed when the server is full, closed at
/// once at stop); if a request may be waiting on it after a short while, the connection
/// moves to a new thread (see `handoff`).
pub(crate) struct Reply {
    pub(crate) response: Response,
    pub(crate) after: Option<After>,
}

impl From<Response> for Reply {
    fn from(response: Response) -> Reply {
        Reply {
            response,
            after: None,
        }
    }
}

/// A request the server answered itself, without calling the handler (a body over the
/// limit, a malformed request, a client too slow): given to
/// [`ServerBuilder::on_refused`].
///
/// ```
/// let server = webex_bot::unversioned::server::Server::builder()
///     .body_limit(10)
///     .on_refused(|r| eprintln!("{} refused for {}: {}", r.remote, r.status, r.reason))
///     .bind("127.0.0.1:0", |_| webex_bot::unversioned::server::Response::new(204))
///     .unwrap();
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Refusal {
    /// The status answered (400, 408, 413, 431).
    pub status: u16,
    /// The request's method, when its head could be read.
    pub method: Option<String>,
    /// The request's path (without the query), when its head could be read.
    pub path: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// The client.
    pub remote: SocketAddr,
}

type RefusalHook = Arc<dyn Fn(&Refusal) + Send + Sync>;

/// Settings of a [`Server`]; every setter documents its default.
///
/// ```
/// use std::time::Duration;
/// let builder = webex_bot::unversioned::server::Server::builder()
///     .name("my-hooks")
///     .max_connections(64)
///     .idle_timeout(Duration::from_secs(5))
///     .body_limit(64 * 1024);
/// ```
#[derive(Clone)]
pub struct ServerBuilder {
    name: String,
    max_connections: usize,
    idle_timeout: Duration,
    io_timeout: Duration,
    head_timeout: Duration,
    min_body_rate: u32,
    body_limit: usize,
    head_limit: usize,
    stack_size: usize,
    backlog: i32,
    on_refused: Option<RefusalHook>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("name", &self.name)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("io_timeout", &self.io_timeout)
            .field("head_timeout", &self.head_timeout)
            .field("min_body_rate", &self.min_body_rate)
            .field("body_limit", &self.body_limit)
            .field("head_limit", &self.head_limit)
            .field("stack_size", &self.stack_size)
            .field("backlog", &self.backlog)
            .finish_non_exhaustive()
    }
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            name: "http".into(),
            max_connections: 1024,
            idle_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(30),
            head_timeout: Duration::from_secs(10),
            min_body_rate: 8 * 1024,
            body_limit: 1024 * 1024,
            head_limit: 16 * 1024,
            stack_size: 2 * 1024 * 1024,
            backlog: 1024,
            on_refused: None,
        }
    }
}

impl ServerBuilder {
    /// The prefix of the connection threads' names (default `http`).
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().name("hooks");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The most connections open at once (default 1024). At the limit, the connection that
    /// has waited longest for a request (kept alive, silent, or still sending its head) is
    /// closed to let the next one in; when every connection has a request in progress, new
    /// ones wait in the kernel's listen backlog. None is refused by the server.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().max_connections(16);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long a kept-alive connection may wait for its next request before the server
    /// closes it (default 30 s).
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().idle_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn idle_timeout(mut self, t: Duration) -> Self {
        self.idle_timeout = t.max(Duration::from_millis(1));
        self
    }

    /// The longest wait for each read or write once a request has begun (default 30 s); a
    /// client that stalls mid-request is answered `408` and closed.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().io_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn io_timeout(mut self, t: Duration) -> Self {
        self.io_timeout = t.max(Duration::from_millis(1));
        self
    }

    /// How long a request's head may take to arrive whole, from its first byte (default
    /// 10 s); and the grace a body starts with before [`min_body_rate`](Self::min_body_rate)
    /// applies. Past it the client is answered `408` and closed, however steadily it sends:
    /// a byte every few seconds keeps no connection for long.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().head_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn head_timeout(mut self, t: Duration) -> Self {
        self.head_timeout = t.max(Duration::from_millis(1));
        self
    }

    /// The slowest a body may arrive, in bytes per second on average (default 8 KiB/s), as
    /// Apache's `mod_reqtimeout` counts it: the body's deadline is the head timeout from its
    /// start plus one second for every `rate` bytes received so far. The length announced
    /// buys no time; only bytes that arrive do.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().min_body_rate(64 * 1024);
    /// ```
    pub fn min_body_rate(mut self, bytes_per_second: u32) -> Self {
        self.min_body_rate = bytes_per_second.max(1);
        self
    }

    /// The largest request body read (default 1 MiB); a larger one is answered `413` without
    /// reading it, and the connection is closed.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().body_limit(110 * 1024 * 1024);
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The largest request line plus headers (default 16 KiB); past it the answer is `431`.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().head_limit(8 * 1024);
    /// ```
    pub fn head_limit(mut self, bytes: usize) -> Self {
        self.head_limit = bytes.max(64);
        self
    }

    /// The stack size of each connection thread (default 2 MiB, the standard library's); the
    /// handler runs there. Only the pages a thread touches take memory.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().stack_size(1024 * 1024);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes.max(64 * 1024);
        self
    }

    /// Called for every request the server answers itself without calling the handler
    /// (default: none; each is logged at `info` either way).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    /// let too_large = Arc::new(AtomicU64::new(0));
    /// let counter = too_large.clone();
    /// let b = webex_bot::unversioned::server::Server::builder().on_refused(move |r| {
    ///     if r.status == 413 {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// });
    /// ```
    pub fn on_refused(mut self, hook: impl Fn(&Refusal) + Send + Sync + 'static) -> Self {
        self.on_refused = Some(Arc::new(hook));
        self
    }

    /// The length of the kernel's queue of connections not yet accepted, for
    /// [`bind`](Self::bind) (default 1024, capped by the system's `somaxconn`). The standard
    /// library's 128 overflows when hundreds of senders connect at once, and a dropped
    /// handshake costs its sender a one-second retransmission.
    ///
    /// ```
    /// let b = webex_bot::unversioned::server::Server::builder().backlog(4096);
    /// ```
    pub fn backlog(mut self, n: u32) -> Self {
        self.backlog = i32::try_from(n).unwrap_or(i32::MAX).max(1);
        self
    }

    /// Binds `addr` (the first of its addresses that can be bound) and serves it with
    /// `handler`.
    ///
    /// ```
    /// use webex_bot::unversioned::server::{Response, Server};
    /// let server = Server::builder().bind("127.0.0.1:0", |_| Response::new(204)).unwrap();
    /// assert_ne!(server.local_addr().port(), 0);
    /// ```
    pub fn bind<A, H>(self, addr: A, handler: H) -> io::Result<Server>
    where
        A: ToSocketAddrs,
        H: Fn(Request) -> Response + Send + Sync + 'static,
    {
        let listener = self.listener(addr)?;
        self.serve(listener, handler)
    }

    /// [`bind`](Self::bind) with a handler that may leave work for after its response.
    pub(crate) fn bind_replies<A, H>(self, addr: A, handler: H) -> io::Result<Server>
    where
        A: ToSocketAddrs,
        H: Fn(Request) -> Reply + Send + Sync + 'static,
    {
        let listener = self.listener(addr)?;
        self.serve_replies(listener, handler)
    }

    /// A listening socket on `addr` with this builder's backlog, for
    /// [`serve`](Self::serve) when the address must be known before the handler is built.
    ///
    /// ```
    /// use webex_bot::unversioned::server::{Response, Server};
    /// let builder = Server::builder();
    /// let listener = builder.listener("127.0.0.1:0").unwrap();
    /// let origin = format!("http://{}", listener.local_addr().unwrap());
    /// let server = builder.serve(listener, move |_| Response::text(200, origin.clone())).unwrap();
    /// ```
    pub fn listener<A: ToSocketAddrs>(&self, addr: A) -> io::Result<TcpListener> {
        let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to bind");
        for a in addr.to_socket_addrs()? {
            match listen(a, self.backlog) {
                Ok(l) => return Ok(l),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Serves an already bound listener with `handler`.
    ///
    /// ```
    /// use webex_bot::unversioned::server::{Response, Server};
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let server = Server::builder().serve(listener, |_| Response::new(204)).unwrap();
    /// ```
    pub fn serve<H>(self, listener: TcpListener, handler: H) -> io::Result<Server>
    where
        H: Fn(Request) -> Response + Send + Sync + 'static,
    {
        self.serve_replies(listener, move |r| handler(r).into())
    }

    /// [`serve`](Self::serve) with a handler that may leave work for after its response.
    pub(crate) fn serve_replies<H>(self, listener: TcpListener, handler: H) -> io::Result<Server>
    where
        H: Fn(Request) -> Reply + Send + Sync + 'static,
    {
        let addr = listener.local_addr()?;
        let wake = listener.try_clone()?;
        let shared = Arc::new_cyclic(|me| Inner::new(self, Box::new(handler), me.clone()));
        let acceptor = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("{}-accept", shared.config.name))
                .stack_size(shared.config.stack_size)
                .spawn(move || accept::accept_loop(&shared, &listener))?
        };
        Ok(Server {
            addr,
            shared,
            acceptor: Some(acceptor),
            wake: Some(wake),
        })
    }
}

/// A running server; see the [module docs](self). Dropping it stops it.
///
/// ```
/// use webex_bot::unversioned::server::{Response, Server};
/// let server = Server::builder().bind("127.0.0.1:0", |_| Response::text(200, "ok")).unwrap();
/// println!("serving on {}", server.local_addr());
/// drop(server); // stops it
/// ```
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Inner>,
    acceptor: Option<JoinHandle<()>>,
    /// The listening socket, to wake the acceptor out of `accept` at stop.
    wake: Option<TcpListener>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("open_connections", &self.open_connections())
            .finish_non_exhaustive()
    }
}

/// How long [`Server::stop`] and dropping a server wait for requests in progress.
const STOP_DEADLINE: Duration = Duration::from_secs(30);

impl Server {
    /// A builder with the defaults.
    ///
    /// ```
    /// let builder = webex_bot::unversioned::server::Server::builder();
    /// ```
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// The address the server listens on (with the real port when bound to port 0).
    ///
    /// ```
    /// # use webex_bot::unversioned::server::{Response, Server};
    /// let server = Server::builder().bind("127.0.0.1:0", |_| Response::new(204)).unwrap();
    /// assert!(server.local_addr().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections are open now.
    ///
    /// ```
    /// # use webex_bot::unversioned::server::{Response, Server};
    /// let server = Server::builder().bind("127.0.0.1:0", |_| Response::new(204)).unwrap();
    /// assert_eq!(server.open_connections(), 0);
    /// ```
    pub fn open_connections(&self) -> usize {
        self.shared.conns.lock().expect("connections").map.len()
    }

    /// Stops accepting (new connections are refused), closes idle connections, and waits up
    /// to 30 s for requests in progress to be answered.
    ///
    /// ```
    /// # use webex_bot::unversioned::server::{Response, Server};
    /// let server = Server::builder().bind("127.0.0.1:0", |_| Response::new(204)).unwrap();
    /// let addr = server.local_addr();
    /// server.stop();
    /// assert!(std::net::TcpStream::connect(addr).is_err());
    /// ```
    pub fn stop(mut self) {
        self.stop_within(STOP_DEADLINE);
    }

    /// Like [`stop`](Self::stop), waiting at most `deadline` for requests in progress; the
    /// connections still busy after it are cut. Returns how many were cut.
    ///
    /// ```
    /// # use webex_bot::unversioned::server::{Response, Server};
    /// let mut server = Server::builder().bind("127.0.0.1:0", |_| Response::new(204)).unwrap();
    /// assert_eq!(server.stop_within(std::time::Duration::from_secs(1)), 0);
    /// ```
    pub fn stop_within(&mut self, deadline: Duration) -> usize {
        let Some(acceptor) = self.acceptor.take() else {
            return 0;
        };
        let until = Instant::now() + deadline;
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        // Wake the acceptor out of accept(): shutting the listening socket down does it on
        // Linux; elsewhere a connection of our own does.
        let wake = self.wake.take().expect("set until the first stop");
        if socket2::SockRef::from(&wake)
            .shutdown(std::net::Shutdown::Both)
            .is_err()
        {
            let _ = TcpStream::connect_timeout(&wake_addr(self.addr), Duration::from_secs(1));
        }
        let _ = acceptor.join();
        drop(wake);
        self.shared.watch.stop();
        let mut conns = self.shared.conns.lock().expect("connections");
        for c in conns.map.values() {
            if !c.busy.load(Ordering::SeqCst) {
                let _ = c.stream.shutdown(std::net::Shutdown::Both);
            }
        }
        while !conns.map.is_empty() {
            let now = Instant::now();
            if now >= until {
                let cut = conns.map.len();
                for c in conns.map.values() {
                    let _ = c.stream.shutdown(std::net::Shutdown::Both);
                }
                log::warn!(
                    "{}: {cut} connections still busy at the deadline, cut",
                    self.shared.config.name
                );
                return cut;
            }
            conns = self
                .shared
                .changed
                .wait_timeout(conns, until - now)
                .expect("connections")
                .0;
        }
        0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_within(STOP_DEADLINE);
    }
}

/// A listening socket on `addr` with this backlog (and `SO_REUSEADDR` on Unix, as the
/// standard library sets it).
fn listen(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(socket.into())
}

/// Where to connect to reach a listener bound to `addr` (a wildcard address becomes the
/// loopback one).
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

pub(crate) struct Inner {
    config: ServerBuilder,
    handler: Box<Handler>,
    stopping: AtomicBool,
    conns: Mutex<Conns>,
    changed: Condvar,
    next_id: AtomicU64,
    /// What `ConnState::idle_since` counts from.
    pub(crate) epoch: Instant,
    /// Connections closed to admit others, for the log.
    evicted: AtomicU64,
    /// Refused requests: a line for the first, then one per interval with the count, so
    /// that a client cannot choose how much is logged.
    refusals: crate::limit::Summary,
    /// Connections open: `conns.map.len()`, read without the lock.
    open: AtomicUsize,
    /// The watchdog of work after responses.
    watch: handoff::Watch,
    /// This, for starting threads that share it (none when serving a replay).
    me: Weak<Inner>,
}

impl Inner {
    fn new(config: ServerBuilder, handler: Box<Handler>, me: Weak<Inner>) -> Inner {
        Inner {
            open: AtomicUsize::new(0),
            watch: handoff::Watch::default(),
            me,
            config,
            handler,
            stopping: AtomicBool::new(false),
            conns: Mutex::new(Conns::default()),
            changed: Condvar::new(),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
            evicted: AtomicU64::new(0),
            refusals: crate::limit::Summary::new(crate::limit::LOG_INTERVAL),
        }
    }
}

#[derive(Default)]
struct Conns {
    map: std::collections::HashMap<u64, Arc<ConnState>>,
}

/// A connection as the acceptor and [`Server::stop`] see it: its socket (the one
/// descriptor: the connection's thread reads and writes through this `TcpStream` too),
/// whether a request is in progress, and since when it has waited for one.
pub(crate) struct ConnState {
    pub(crate) stream: TcpStream,
    pub(crate) peer: SocketAddr,
    /// Where the connection's state waits while its thread works after a response.
    pub(crate) slot: handoff::Slot,
    pub(crate) busy: AtomicBool,
    /// Nanoseconds from the server's epoch to when it began waiting for a request;
    /// [`CLOSING`] once the acceptor closed it.
    pub(crate) idle_since: AtomicU64,
}

/// The `idle_since` of a connection being closed to admit another.
const CLOSING: u64 = u64::MAX;

impl Inner {
    /// Forgets a closed connection and wakes who waits for one to close.
    fn remove(&self, id: u64) {
        let mut conns = self.conns.lock().expect("connections");
        conns.map.remove(&id);
        self.open.store(conns.map.len(), Ordering::SeqCst);
        drop(conns);
        self.changed.notify_all();
    }

    /// Nanoseconds since the server's epoch.
    pub(crate) fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }
}
