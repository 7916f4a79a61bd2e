//! The client's TCP transport, plugged into ureq in place of its own: the same
//! connections, timeouts and liveness checks, in fewer system calls.
//!
//! ureq checks that a pooled connection is still open twice per request (when it goes back
//! to the pool and when it comes out), each time with three calls: `ioctl(FIONBIO)` on, a
//! one-byte `recv` that must fail with `EAGAIN`, `ioctl(FIONBIO)` off. Here the same check is
//! one `recv(MSG_PEEK | MSG_DONTWAIT)`. ureq also sets the socket's read and write timeouts
//! whenever the next deadline differs from the last one set, which is every request (each
//! has a fresh budget); here a socket timeout is changed only when the one set would fire
//! later than the deadline allows (by more than a 64th of it, at most 50 ms), and a
//! timeout that fires early is not an error: the call goes on with the time left.
//!
//! Two more: what ureq sends is held until it waits for the answer (or 16 KiB are held),
//! so that a request's head and a small body go out in one `sendto` instead of two; and
//! the check ureq makes when a connection goes back to the pool, right after its answer
//! was read, is left to the check made when it is taken out again, which is the one that
//! stands between a dead connection and a request (ureq already refuses a connection with
//! unread bytes in its buffer at that point).
//!
//! And ureq looks the host's name up before every request, even one that goes out on a
//! pooled connection and never uses the addresses: with `localhost` that is `/etc/hosts`
//! read again each time (15 more system calls per command), with a real name a DNS query.
//! [`LazyResolver`] leaves the lookup to [`TcpConnector`], which makes it only when it
//! opens a connection, within the connection's timeout.
//!
//! This uses ureq's `unversioned` transport API, which may change in a minor release: the
//! ureq version is pinned in `Cargo.toml` for that reason.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};
use ureq::{Error, Timeout};

/// The agent's resolver: no lookup before a request (an empty list of addresses, which
/// [`TcpConnector`] takes as "look it up when connecting"), except through a proxy, whose
/// connector needs the addresses it is given.
#[derive(Debug, Default)]
pub(crate) struct LazyResolver(DefaultResolver);

impl Resolver for LazyResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        if config.proxy().is_some() {
            return self.0.resolve(uri, config, timeout);
        }
        Ok(self.0.empty())
    }
}

/// Opens plain TCP connections (TLS is layered on by the next connector in the chain),
/// looking the host up first when ureq has not (see [`LazyResolver`]).
#[derive(Debug, Default)]
pub(crate) struct TcpConnector {
    /// Lookups made, for tests.
    lookups: Arc<std::sync::atomic::AtomicU64>,
}

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if chained.is_some() {
            // A proxy's connection, opened earlier in the chain.
            return Ok(chained.map(Either::A));
        }
        let looked_up;
        let addrs = if details.addrs.is_empty() {
            self.lookups
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Within the connection's budget (on a thread of its own when one is set,
            // which ureq's resolver abandons at the deadline).
            looked_up =
                DefaultResolver::default().resolve(details.uri, details.config, details.timeout)?;
            &looked_up
        } else {
            &details.addrs
        };
        let deadline = details.timeout.not_zero().map(|d| Instant::now() + *d);
        let mut last = None;
        for addr in addrs.iter() {
            let attempt = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => TcpStream::connect_timeout(addr, left),
                    _ => return Err(Error::Timeout(Timeout::Connect)),
                },
                None => TcpStream::connect(addr),
            };
            match attempt {
                Ok(stream) => {
                    if details.config.no_delay() {
                        stream.set_nodelay(true)?;
                    }
                    let buffers = LazyBuffers::new(
                        details.config.input_buffer_size(),
                        details.config.output_buffer_size(),
                    );
                    let transport = TcpTransport::new(stream, buffers);
                    (details.register_shutdown)(transport.shutdown_handle())?;
                    return Ok(Some(Either::B(transport)));
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    last = Some(Error::Timeout(Timeout::Connect));
                }
                Err(e) => last = Some(Error::Io(e)),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "no address to connect to",
            ))
        }))
    }
}

/// A shared handle, so that the agent can shut the socket down from another thread.
struct Shared(TcpStream);

impl ShutdownHandle for Shared {
    fn shutdown(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// One TCP connection.
pub(crate) struct TcpTransport {
    stream: Arc<Shared>,
    buffers: LazyBuffers,
    /// The socket's timeouts as last set (`None`: never set, so none).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Bytes ureq transmitted that are not sent yet, and the deadline to send them by.
    pending: Vec<u8>,
    pending_timeout: Option<(NextTimeout, Instant)>,
    /// An answer was read since the last request: the next liveness check is ureq's
    /// return to the pool, and the one after it the check that matters.
    answered: bool,
}

/// Held output is sent once it reaches this size.
const HOLD: usize = 16 * 1024;

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.0.peer_addr().ok())
            .finish_non_exhaustive()
    }
}

/// Which of the socket's two timeouts.
#[derive(Clone, Copy)]
enum Side {
    Read,
    Write,
}

impl TcpTransport {
    fn new(stream: TcpStream, buffers: LazyBuffers) -> TcpTransport {
        TcpTransport {
            stream: Arc::new(Shared(stream)),
            buffers,
            read_timeout: None,
            write_timeout: None,
            pending: Vec::new(),
            pending_timeout: None,
            answered: false,
        }
    }

    /// Sends what is held.
    fn flush_pending(&mut self) -> Result<(), Error> {
        let Some((timeout, started)) = self.pending_timeout.take() else {
            return Ok(());
        };
        let mut sent = 0;
        while sent < self.pending.len() {
            self.bound(Side::Write, left(&timeout, started)?)?;
            match (&self.stream.0).write(&self.pending[sent..]) {
                Ok(0) => return Err(Error::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A socket timeout set for an earlier, shorter deadline: go on, with the
                // socket's timeout set to the time left.
                Err(e) if is_timeout(&e) => {
                    left(&timeout, started)?;
                    self.write_timeout = None;
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
        self.pending.clear();
        if self.pending.capacity() > HOLD * 2 {
            self.pending = Vec::new();
        }
        Ok(())
    }

    fn shutdown_handle(&self) -> Weak<dyn ShutdownHandle> {
        Arc::downgrade(&self.stream) as Weak<dyn ShutdownHandle>
    }

    /// Makes sure the socket's timeout fires no later than `left` allows (`None`: no
    /// deadline, any timeout set stays, and its firing is retried by the caller).
    fn bound(&mut self, side: Side, left: Option<Duration>) -> io::Result<()> {
        let Some(left) = left else { return Ok(()) };
        let left = left.max(Duration::from_millis(1));
        let current = match side {
            Side::Read => &mut self.read_timeout,
            Side::Write => &mut self.write_timeout,
        };
        let slack = (left / 64).min(Duration::from_millis(50));
        if current.is_some_and(|c| c <= left + slack) {
            return Ok(());
        }
        match side {
            Side::Read => self.stream.0.set_read_timeout(Some(left))?,
            Side::Write => self.stream.0.set_write_timeout(Some(left))?,
        }
        *current = Some(left);
        Ok(())
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// The time left before `timeout`, from `started`; `Err` when it has passed.
fn left(timeout: &NextTimeout, started: Instant) -> Result<Option<Duration>, Error> {
    match timeout.not_zero() {
        None => Ok(None),
        Some(total) => match total.checked_sub(started.elapsed()) {
            Some(l) if !l.is_zero() => Ok(Some(l)),
            _ => Err(Error::Timeout(timeout.reason)),
        },
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        self.answered = false;
        self.pending
            .extend_from_slice(&self.buffers.output()[..amount]);
        // The first write's deadline holds for all that is held with it.
        if self.pending_timeout.is_none() {
            self.pending_timeout = Some((timeout, Instant::now()));
        }
        if self.pending.len() >= HOLD {
            self.flush_pending()?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        self.flush_pending()?;
        let started = Instant::now();
        loop {
            self.bound(Side::Read, left(&timeout, started)?)?;
            let input = self.buffers.input_append_buf();
            match (&self.stream.0).read(input) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    self.answered |= n > 0;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    left(&timeout, started)?;
                    self.read_timeout = None;
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// Open when a peek without waiting finds nothing to read: no end of stream, no error
    /// and no bytes the server should not have sent. The first call after an answer was
    /// read (ureq returning the connection to its pool) is not made: see the module's
    /// documentation.
    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.answered) {
            // ureq's check as the connection goes back to the pool: the check when it
            // comes out again decides.
            return true;
        }
        let mut buf = [MaybeUninit::<u8>::uninit(); 1];
        let socket = socket2::SockRef::from(&self.stream.0);
        match socket.recv_with_flags(&mut buf, libc_flags()) {
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
            Ok(_) => false,
        }
    }
}

/// `MSG_PEEK | MSG_DONTWAIT`.
fn libc_flags() -> i32 {
    // The values on Linux and the BSDs (including macOS) differ for MSG_DONTWAIT.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const DONTWAIT: i32 = 0x40;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const DONTWAIT: i32 = 0x80;
    const PEEK: i32 = 0x2;
    PEEK | DONTWAIT
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn deadline(
        after: ureq::unversioned::transport::time::Duration,
        reason: Timeout,
    ) -> NextTimeout {
        NextTimeout {
            after,
            reason,
            per_read: None,
            per_write: None,
        }
    }

    fn pair() -> (TcpTransport, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        (TcpTransport::new(c, LazyBuffers::new(1024, 1024)), s)
    }

    #[test]
    fn a_name_is_looked_up_to_connect_not_for_each_request() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        // One connection, kept alive for three requests.
        let server = serve_ok(l, 3);
        let connector = TcpConnector::default();
        let lookups = connector.lookups.clone();
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder()
                .ip_family(ureq::config::IpFamily::Ipv4Only)
                .timeout_connect(Some(Duration::from_secs(10)))
                .build(),
            ().chain(connector),
            LazyResolver::default(),
        );
        for _ in 0..3 {
            get_ok(&agent, &format!("http://localhost:{port}/"));
        }
        server.join().unwrap();
        assert_eq!(lookups.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    /// Answers `requests` HTTP/1.1 requests on one accepted connection with `ok`.
    fn serve_ok(l: TcpListener, requests: usize) -> std::thread::JoinHandle<()> {
        use std::io::BufRead;
        std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = io::BufReader::new(s.try_clone().unwrap());
            for _ in 0..requests {
                let mut line = String::new();
                while line != "\r\n" {
                    line.clear();
                    assert!(r.read_line(&mut line).unwrap() > 0, "the client hung up");
                }
                (&s).write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .unwrap();
            }
        })
    }

    fn get_ok(agent: &ureq::Agent, url: &str) {
        let body = agent
            .get(url)
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        assert_eq!(body, "ok");
    }

    #[test]
    fn through_a_connect_proxy_the_proxy_is_looked_up_by_ureq_and_the_target_by_the_proxy() {
        use std::io::BufRead;
        let target = TcpListener::bind("127.0.0.1:0").unwrap();
        let target_port = target.local_addr().unwrap().port();
        let server = serve_ok(target, 3);
        // A CONNECT proxy: one tunnel, spliced both ways; it records what it was asked.
        let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy_port = proxy.local_addr().unwrap().port();
        let asked = std::thread::spawn(move || {
            let (client, _) = proxy.accept().unwrap();
            let mut r = io::BufReader::new(client.try_clone().unwrap());
            let mut first = String::new();
            r.read_line(&mut first).unwrap();
            let mut line = String::new();
            while line != "\r\n" {
                line.clear();
                r.read_line(&mut line).unwrap();
            }
            let host = first.split_whitespace().nth(1).unwrap().to_owned();
            let upstream = TcpStream::connect(&host).unwrap();
            (&client)
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            let (mut up_r, mut up_w) = (upstream.try_clone().unwrap(), upstream);
            let mut down_w = client.try_clone().unwrap();
            let up = std::thread::spawn(move || io::copy(&mut up_r, &mut down_w));
            let _ = io::copy(&mut r, &mut up_w);
            let _ = up_w.shutdown(Shutdown::Both);
            let _ = up.join();
            first
        });
        let connector = TcpConnector::default();
        let lookups = connector.lookups.clone();
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder()
                .proxy(Some(
                    ureq::Proxy::new(&format!("http://localhost:{proxy_port}")).unwrap(),
                ))
                .ip_family(ureq::config::IpFamily::Ipv4Only)
                .timeout_connect(Some(Duration::from_secs(10)))
                .build(),
            ().chain(ureq::unversioned::transport::ConnectProxyConnector::default())
                .chain(connector),
            LazyResolver::default(),
        );
        for _ in 0..3 {
            get_ok(&agent, &format!("http://localhost:{target_port}/"));
        }
        server.join().unwrap();
        drop(agent);
        let first = asked.join().unwrap();
        assert!(
            first.starts_with(&format!("CONNECT localhost:{target_port} ")),
            "{first}"
        );
        // The proxy's address came from ureq's lookup, so the connector made none.
        assert_eq!(lookups.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    #[test]
    fn a_peek_tells_an_open_connection_from_a_closed_or_chatty_one() {
        let (mut t, server) = pair();
        assert!(t.is_open());
        assert!(t.is_open(), "the peek takes nothing");
        drop(server);
        // The end of stream arrives at once on loopback.
        let until = Instant::now() + Duration::from_secs(5);
        while t.is_open() && Instant::now() < until {
            std::thread::yield_now();
        }
        assert!(!t.is_open());
        let (mut t, mut server) = pair();
        server.write_all(b"x").unwrap();
        let until = Instant::now() + Duration::from_secs(5);
        while t.is_open() && Instant::now() < until {
            std::thread::yield_now();
        }
        assert!(!t.is_open(), "unasked-for bytes: not reusable");
    }

    #[test]
    fn a_read_waits_no_longer_than_its_deadline_and_keeps_a_shorter_socket_timeout() {
        let (mut t, mut server) = pair();
        // A short deadline first: the socket timeout is set short.
        let short = deadline(
            ureq::unversioned::transport::time::Duration::from_millis(30),
            Timeout::RecvResponse,
        );
        let started = Instant::now();
        assert!(matches!(
            t.await_input(short),
            Err(Error::Timeout(Timeout::RecvResponse))
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
        // Then a long one: the short socket timeout fires, and the read goes on.
        let long = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::from_secs(10),
            ..short
        };
        assert!(
            t.read_timeout
                .is_some_and(|d| d <= Duration::from_millis(30))
        );
        server.write_all(b"later").unwrap();
        assert!(t.await_input(long).unwrap());
        assert_eq!(t.buffers().input(), b"later");
        // The short socket timeout stayed: firing early is no error, so no call to lengthen it.
        assert!(
            t.read_timeout
                .is_some_and(|d| d <= Duration::from_millis(30))
        );
    }

    #[test]
    fn what_is_transmitted_goes_out_in_one_piece_when_the_answer_is_awaited() {
        let (mut t, mut server) = pair();
        let timeout = deadline(
            ureq::unversioned::transport::time::Duration::from_secs(10),
            Timeout::SendRequest,
        );
        for part in [&b"HEAD "[..], b"BODY"] {
            t.buffers().output()[..part.len()].copy_from_slice(part);
            t.transmit_output(part.len(), timeout).unwrap();
        }
        server.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(
            server.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "held until the answer is awaited"
        );
        server.set_nonblocking(false).unwrap();
        server.write_all(b"ok").unwrap();
        assert!(t.await_input(timeout).unwrap());
        let mut got = Vec::new();
        while got.len() < 9 {
            let n = server.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"HEAD BODY");
        // Back to the pool right after the answer: not probed; taken out: probed.
        assert!(t.is_open());
        assert!(t.is_open());
    }
}
