//! One connection: read a request, call the handler, write the response, again while the
//! connection is kept alive.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicBool, AtomicU64};

use super::message::{Fields, Request, Response, reason};
use super::rules::{
    Head, Reject, check_target_and_host, check_transfer_coding, expects_continue, is_field_line,
    parse_chunk_line, reject,
};
use super::{After, ConnState, Inner, Refusal};

/// What a connection reads from and writes to: its socket, or a recorded client in
/// [`ServerBuilder::replay`](super::ServerBuilder::replay).
pub(super) trait Wire: Read + Write {
    fn set_read_timeout(&mut self, t: Option<Duration>) -> io::Result<()>;
    fn shutdown_write(&mut self);
    /// Closes with an RST when the connection is dropped (no lingering FIN).
    fn reset_on_close(&mut self);
}

impl Wire for &TcpStream {
    fn set_read_timeout(&mut self, t: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, t)
    }

    fn shutdown_write(&mut self) {
        let _ = self.shutdown(std::net::Shutdown::Write);
    }

    fn reset_on_close(&mut self) {
        // The socket closes when the connection's thread lets go of it, right after.
        let _ = socket2::SockRef::from(*self).set_linger(Some(Duration::ZERO));
    }
}

/// How the acceptor sees a connection: whether a request is in progress, and since when it
/// has waited for one.
pub(super) struct Marks<'a> {
    pub(super) busy: &'a AtomicBool,
    pub(super) idle_since: &'a AtomicU64,
}

/// What a thread needs to go on serving a connection where the last stopped.
#[derive(Default)]
pub(super) struct Parked {
    /// Bytes read but not yet consumed: the start of the next request, if it came.
    pub(super) buf: Vec<u8>,
    /// Bytes read from the socket so far.
    pub(super) received: u64,
    /// The socket's read timeout as last set (a socket option: set again only to change).
    pub(super) timeout: Option<Duration>,
}

/// Why serving a connection stopped.
pub(super) enum Ended {
    /// The connection is done with: closed, or to be closed.
    Closed,
    /// A response left work to do; the connection, kept alive, waits for its next request
    /// from the state given back, to be served on once the work is done or meanwhile by
    /// another thread (see `handoff`).
    Work(After, Parked),
}

struct Conn<'a, W: Wire> {
    shared: &'a Inner,
    /// The connection's one socket, shared with the acceptor (which may close it).
    stream: W,
    /// Bytes read but not yet consumed (the start of the next request, pipelined ones).
    buf: Vec<u8>,
    timeout: Option<Duration>,
    /// When the part of the request being read must be whole: its head, from the head's
    /// first byte; its body, from the end of the head. None while waiting for a request.
    deadline: Option<Instant>,
    /// While a body is read: when it began, and `received` then. Its deadline moves on with
    /// every byte that arrives (see [`Conn::arm`]).
    body_clock: Option<(Instant, u64)>,
    /// Bytes read from the socket so far.
    received: u64,
}

/// Serves a connection's socket, from where `resume` says, until it closes or moves to
/// another thread.
pub(super) fn serve(shared: &Inner, state: &ConnState, resume: Parked) -> Ended {
    let stream = &state.stream;
    if resume.received == 0 {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(shared.config.io_timeout));
    }
    let marks = Marks {
        busy: &state.busy,
        idle_since: &state.idle_since,
    };
    serve_on(shared, stream, &marks, state.peer, resume)
}

/// Serves requests read from `stream` until it ends, the server stops, a request is
/// refused or a response leaves work to do.
pub(super) fn serve_on<W: Wire>(
    shared: &Inner,
    stream: W,
    state: &Marks,
    peer: SocketAddr,
    resume: Parked,
) -> Ended {
    let mut conn = Conn {
        shared,
        stream,
        buf: resume.buf,
        timeout: resume.timeout,
        deadline: None,
        body_clock: None,
        received: resume.received,
    };
    loop {
        state.waiting(shared);
        conn.deadline = None;
        conn.body_clock = None;
        if shared.stopping.load(Ordering::SeqCst) && conn.buf.is_empty() {
            return Ended::Closed;
        }
        let head = match conn.read_head() {
            Ok(Some(h)) => h,
            Ok(None) => return Ended::Closed,
            Err(r) => return conn.refuse(&r, None, peer),
        };
        if let Err(r) = check_target_and_host(&head) {
            return conn.refuse(&r, Some(&head), peer);
        }
        // A request framed both ways is served, but nothing after it on this connection is
        // trusted (RFC 9112, 6.1).
        let keep_alive = head.keep_alive()
            && !(head.header("transfer-encoding").is_some()
                && head.header("content-length").is_some());
        let body = match conn.read_body(&head) {
            Ok(b) => b,
            Err(r) => return conn.refuse(&r, Some(&head), peer),
        };
        // Busy from here to the end of the response: not a connection to close to make
        // room. Until here (reading the head or the body) it may be, the longest-waiting
        // first, so that a slow sender cannot hold a slot a delivery needs.
        state.busy.store(true, Ordering::SeqCst);
        let head_only = head.method == "HEAD";
        let minor = head.minor;
        let request = Request {
            method: head.method,
            target: head.target,
            headers: head.headers,
            body,
            remote: peer,
            open: shared.open.load(Ordering::Relaxed),
        };
        let reply = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (shared.handler)(request)
        })) {
            Ok(r) => r,
            Err(panic) => {
                log::error!(
                    "{}: the handler panicked serving {peer}: {}",
                    shared.config.name,
                    crate::util::panic_message(&*panic)
                );
                Response::text(500, "internal error").into()
            }
        };
        let response = reply.response;
        if response.is_reset() {
            conn.stream.reset_on_close();
            run_after(shared, reply.after);
            return Ended::Closed;
        }
        let keep_alive = keep_alive && !shared.stopping.load(Ordering::SeqCst);
        let written = conn.write_response(&response, head_only, keep_alive, minor);
        if let Err(e) = &written {
            log::debug!("{}: could not answer {peer}: {e}", shared.config.name);
        }
        if written.is_err() || !keep_alive {
            if reply.after.is_some() {
                // Nothing more to read here: the work runs in place, the connection closed
                // after it (its client, told so, does not wait for it).
                conn.stream.shutdown_write();
                run_after(shared, reply.after);
            }
            return Ended::Closed;
        }
        if let Some(work) = reply.after {
            state.waiting(shared);
            let parked = Parked {
                buf: std::mem::take(&mut conn.buf),
                received: conn.received,
                timeout: conn.timeout,
            };
            return Ended::Work(work, parked);
        }
    }
}

/// Runs work after a response in place, its panic caught and logged.
pub(super) fn run_after(shared: &Inner, after: Option<After>) {
    let Some(work) = after else {
        return;
    };
    if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        log::error!(
            "{}: work after a response panicked: {}",
            shared.config.name,
            crate::util::panic_message(&*panic)
        );
    }
}

/// The largest body written in one piece with the response's head (one system call); a
/// larger one is written after it, not copied.
const WRITTEN_WITH_HEAD: usize = 16 * 1024;

/// Appends the `Date` value for now, formatted once a second per thread (hyper caches it
/// likewise): the second's text is the same for every response in it.
fn http_date(out: &mut String) {
    use std::cell::RefCell;
    use std::time::{SystemTime, UNIX_EPOCH};
    thread_local! {
        static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    DATE.with_borrow_mut(|(at, text)| {
        if *at != second {
            *at = second;
            *text = httpdate::fmt_http_date(now);
        }
        out.push_str(text);
    });
}

/// The parsed header fields, copied out of the read buffer into one of their own.
fn fields(parsed: &[httparse::Header<'_>]) -> Fields {
    let bytes = parsed.iter().map(|h| h.name.len() + h.value.len()).sum();
    let mut fields = Fields::with_capacity(parsed.len(), bytes);
    for h in parsed {
        fields.push(h.name, &String::from_utf8_lossy(h.value));
    }
    fields
}

impl Marks<'_> {
    /// Waiting for a request from now on: the first to go when the server is full. A
    /// connection the acceptor is closing stays marked so.
    fn waiting(&self, shared: &Inner) {
        let _ = self
            .idle_since
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                (v != super::CLOSING).then(|| shared.now())
            });
        self.busy.store(false, Ordering::SeqCst);
    }
}

impl<W: Wire> Conn<'_, W> {
    /// Sets the read timeout for the part being read: the I/O timeout, cut to what is left
    /// before its deadline; `408` once the deadline has passed.
    fn arm(&mut self, what: &'static str) -> Result<(), Reject> {
        let mut t = self.shared.config.io_timeout;
        if let Some(d) = self.current_deadline() {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(reject(408, format!("{what} not received in time")));
            }
            t = t.min(left);
        }
        self.set_timeout(t);
        Ok(())
    }

    /// The head's deadline; for a body, the minimum rate as Apache's `mod_reqtimeout` keeps
    /// it: the head timeout from the body's start, plus a second for every `min_body_rate`
    /// bytes received. A sender at the rate never reaches it, whatever the length it
    /// announced; one that trickles is cut off about a head timeout after it began.
    fn current_deadline(&self) -> Option<Instant> {
        let Some((start, at_start)) = self.body_clock else {
            return self.deadline;
        };
        let rate = u64::from(self.shared.config.min_body_rate).max(1);
        let got = self.received - at_start;
        let earned = Duration::from_millis(got.saturating_mul(1000) / rate);
        Some(start + self.shared.config.head_timeout + earned)
    }

    /// Starts the body's clock (see [`current_deadline`](Self::current_deadline)).
    fn start_body_clock(&mut self) {
        self.body_clock = Some((Instant::now(), self.received));
    }

    /// Reads from the socket, counting the bytes.
    fn read_wire(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.stream.read(buf)?;
        self.received += n as u64;
        Ok(n)
    }

    fn set_timeout(&mut self, t: Duration) {
        if self.timeout != Some(t) {
            let _ = self.stream.set_read_timeout(Some(t));
            self.timeout = Some(t);
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at the end of the stream. A request's
    /// first read takes up to 2 KiB, where a webhook's head and body mostly fit: the
    /// array is zeroed where it is declared, and 8 KiB of it were for each request. What
    /// follows bytes already buffered (the rest of a head, a chunked body) is read 8 KiB
    /// at a time.
    fn fill(&mut self) -> io::Result<usize> {
        if self.buf.is_empty() {
            self.fill_with::<2048>()
        } else {
            self.fill_with::<8192>()
        }
    }

    fn fill_with<const N: usize>(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; N];
        loop {
            match self.read_wire(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next request's head; `None` when the peer closed, went idle past the timeout,
    /// or the server is stopping.
    fn read_head(&mut self) -> Result<Option<Head>, Reject> {
        loop {
            // Blank lines before a request line are allowed (RFC 9112, 2.2).
            let blank = self
                .buf
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
            self.buf.drain(..blank);
            if !self.buf.is_empty() {
                // Left uninitialized until parsed: 2 KiB not written for each request.
                let mut headers = [std::mem::MaybeUninit::uninit(); 64];
                let mut req = httparse::Request::new(&mut []);
                // Only the first `head_limit` bytes are parsed, so that the answer is the
                // same however the bytes arrived: a head still incomplete there is too
                // large, whatever follows it.
                let limit = self.shared.config.head_limit;
                let window = &self.buf[..self.buf.len().min(limit)];
                match req.parse_with_uninit_headers(window, &mut headers) {
                    Ok(httparse::Status::Complete(n)) => {
                        let head = Head {
                            // Methods are case-sensitive (RFC 9110, 9.1): `get` is not
                            // `GET`, as in hyper and h11.
                            method: req.method.unwrap_or("GET").to_owned(),
                            target: req.path.unwrap_or("/").to_owned(),
                            minor: req.version.unwrap_or(1),
                            headers: fields(req.headers),
                        };
                        self.buf.drain(..n);
                        return Ok(Some(head));
                    }
                    Ok(httparse::Status::Partial) => {
                        if self.buf.len() >= limit {
                            return Err(reject(431, "request head too large"));
                        }
                    }
                    Err(httparse::Error::TooManyHeaders) => {
                        return Err(reject(431, "too many headers"));
                    }
                    Err(e) => return Err(reject(400, format!("malformed request: {e}"))),
                }
            }
            let waiting_for_next = self.buf.is_empty();
            if waiting_for_next {
                self.set_timeout(self.shared.config.idle_timeout);
            } else {
                // A head has begun: it must be whole by its deadline.
                if self.deadline.is_none() {
                    self.deadline = Some(Instant::now() + self.shared.config.head_timeout);
                }
                self.arm("request head")?;
            }
            match self.fill() {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(e) if is_timeout(&e) && !waiting_for_next => {
                    return Err(reject(408, "request head not received in time"));
                }
                Err(_) => return Ok(None),
            }
        }
    }

    fn read_body(&mut self, head: &Head) -> Result<Vec<u8>, Reject> {
        let limit = self.shared.config.body_limit;
        if head.header("transfer-encoding").is_some() {
            check_transfer_coding(head)?;
            self.start_body_clock();
            self.continue_if_expected(head)?;
            return self.read_chunked(limit);
        }
        let mut length: Option<usize> = None;
        for v in head.headers.all("content-length") {
            // Content-Length = 1*DIGIT (RFC 9110, 8.6): no sign, no list, no spaces inside
            // (str::parse would take "+5").
            let digits = v.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(reject(400, format!("bad content-length {v:?}")));
            }
            let n: usize = digits
                .parse()
                .map_err(|_| reject(400, format!("bad content-length {v:?}")))?;
            if length.is_some_and(|l| l != n) {
                return Err(reject(400, "conflicting content-length headers"));
            }
            length = Some(n);
        }
        let length = length.unwrap_or(0);
        if length > limit {
            let too_large = reject(
                413,
                format!("body of {length} bytes over the limit of {limit}"),
            );
            // A client that waits for 100 Continue sends no body. Others are writing it: read
            // it away (up to a bound) so that they get to read the 413 rather than a reset.
            if !expects_continue(head) && length <= DISCARD_LIMIT {
                self.discard(length)?;
            }
            return Err(too_large);
        }
        self.start_body_clock();
        if length > 0 {
            self.continue_if_expected(head)?;
        }
        // Memory follows the bytes received, not the length announced: a head that
        // announces a megabyte and sends nothing costs no more than a silent connection.
        // What has arrived with the head is reserved, no more: even an untouched
        // reservation costs a page per connection (its allocator header), 4 MiB for 1,000
        // heads announcing bodies they never send.
        let mut body = Vec::with_capacity(length.min(self.buf.len()));
        self.take_exact(&mut body, length)?;
        Ok(body)
    }

    /// Reads and drops `n` bytes of a body that will not be served.
    fn discard(&mut self, n: usize) -> Result<(), Reject> {
        let buffered = n.min(self.buf.len());
        self.buf.drain(..buffered);
        self.start_body_clock();
        self.read_body_bytes(n - buffered, |_| {})
    }

    fn continue_if_expected(&mut self, head: &Head) -> Result<(), Reject> {
        if expects_continue(head) {
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .map_err(|e| reject(400, format!("cannot write 100 Continue: {e}")))?;
        }
        Ok(())
    }

    /// Moves exactly `n` bytes of the body into `out`: first what is buffered, then from
    /// the socket, `out` growing only by what arrives.
    fn take_exact(&mut self, out: &mut Vec<u8>, n: usize) -> Result<(), Reject> {
        let buffered = n.min(self.buf.len());
        out.extend_from_slice(&self.buf[..buffered]);
        self.buf.drain(..buffered);
        self.read_body_bytes(n - buffered, |got| out.extend_from_slice(got))
    }

    /// Reads `rest` more bytes of a body from the socket (none buffered), handing each
    /// piece read to `sink`.
    fn read_body_bytes(
        &mut self,
        mut rest: usize,
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), Reject> {
        if rest == 0 {
            return Ok(());
        }
        // The array is zeroed where it is declared (8 KiB, at every call): not when the
        // body came whole with the head, as it mostly does.
        let mut chunk = [0u8; 8192];
        while rest > 0 {
            self.arm("body")?;
            let want = rest.min(chunk.len());
            match self.read_wire(&mut chunk[..want]) {
                Ok(0) => return Err(reject(400, "body cut short")),
                Ok(got) => {
                    sink(&chunk[..got]);
                    rest -= got;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(reject(408, "body not received in time")),
                Err(e) => return Err(reject(400, format!("body cut short: {e}"))),
            }
        }
        Ok(())
    }

    /// Ensures at least `n` bytes are buffered.
    fn need(&mut self, n: usize) -> Result<(), Reject> {
        while self.buf.len() < n {
            self.arm("body")?;
            match self.fill() {
                Ok(0) => return Err(reject(400, "body cut short")),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => return Err(reject(408, "body not received in time")),
                Err(e) => return Err(reject(400, format!("body cut short: {e}"))),
            }
        }
        Ok(())
    }

    /// Reads a chunked body (RFC 9112, 7.1), trailers skipped.
    fn read_chunked(&mut self, limit: usize) -> Result<Vec<u8>, Reject> {
        let mut body = Vec::new();
        loop {
            let (used, size) = loop {
                if let Some(parsed) = parse_chunk_line(&self.buf)? {
                    break parsed;
                }
                let have = self.buf.len();
                self.need(have + 1)?;
            };
            self.buf.drain(..used);
            if size == 0 {
                return self.skip_trailers().map(|()| body);
            }
            if body.len().saturating_add(size) > limit {
                return Err(reject(413, format!("body over the limit of {limit}")));
            }
            self.take_exact(&mut body, size)?;
            self.need(2)?;
            if &self.buf[..2] != b"\r\n" {
                return Err(reject(400, "chunk not followed by CRLF"));
            }
            self.buf.drain(..2);
        }
    }

    /// Reads the trailer section away (RFC 9112, 7.1.2): field lines, then an empty line.
    /// The whole section counts against the head limit, however it arrives.
    fn skip_trailers(&mut self) -> Result<(), Reject> {
        let limit = self.shared.config.head_limit;
        let mut seen = 0usize;
        loop {
            let line_end = loop {
                // Each trailer line, and the empty line that ends them, ends in CRLF; a bare
                // LF here would let the next request's head be read as trailers.
                if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                    if seen + i + 1 > limit {
                        return Err(reject(431, "trailers too large"));
                    }
                    if i == 0 || self.buf[i - 1] != b'\r' {
                        return Err(reject(400, "trailer line not ended by CRLF"));
                    }
                    break i - 1;
                }
                if seen + self.buf.len() > limit {
                    return Err(reject(431, "trailers too large"));
                }
                let have = self.buf.len();
                self.need(have + 1)?;
            };
            seen += line_end + 2;
            if line_end == 0 {
                self.buf.drain(..2);
                return Ok(());
            }
            if !is_field_line(&self.buf[..line_end]) {
                return Err(reject(400, "malformed trailer field"));
            }
            self.buf.drain(..line_end + 2);
        }
    }

    fn write_response(
        &mut self,
        resp: &Response,
        head_only: bool,
        keep_alive: bool,
        minor: u8,
    ) -> io::Result<()> {
        use std::fmt::Write as _;
        // Room for the head and, when it goes with it, a small body.
        let small = if resp.body().len() <= WRITTEN_WITH_HEAD {
            resp.body().len()
        } else {
            0
        };
        let mut head = String::with_capacity(160 + small);
        let status = resp.status();
        let _ = write!(head, "HTTP/1.1 {status} {}\r\n", reason(status));
        head.push_str("Date: ");
        http_date(&mut head);
        head.push_str("\r\n");
        for (k, v) in resp.headers() {
            let managed = ["content-length", "connection", "date", "transfer-encoding"]
                .iter()
                .any(|m| k.eq_ignore_ascii_case(m));
            // A header with a line break would split the response: never sent.
            if !managed && !k.contains(['\r', '\n']) && !v.contains(['\r', '\n']) {
                let _ = write!(head, "{k}: {v}\r\n");
            }
        }
        let bodiless = status < 200 || status == 204 || status == 304;
        if !bodiless {
            let _ = write!(head, "Content-Length: {}\r\n", resp.body().len());
        }
        if !keep_alive {
            head.push_str("Connection: close\r\n");
        } else if minor == 0 {
            head.push_str("Connection: keep-alive\r\n");
        }
        head.push_str("\r\n");
        let body = if head_only || bodiless {
            &[][..]
        } else {
            resp.body()
        };
        if body.len() <= WRITTEN_WITH_HEAD {
            let mut all = head.into_bytes();
            all.extend_from_slice(body);
            self.stream.write_all(&all)?;
        } else {
            self.stream.write_all(head.as_bytes())?;
            self.stream.write_all(body)?;
        }
        self.stream.flush()
    }

    /// Answers a request that cannot be served, then the connection closes.
    fn refuse(&mut self, r: &Reject, head: Option<&Head>, peer: SocketAddr) -> Ended {
        if let Some(unlogged) = self.shared.refusals.occur(Instant::now()) {
            let more = if unlogged > 0 {
                format!("; {unlogged} more refused since the last such line")
            } else {
                String::new()
            };
            log::info!(
                "{}: rejected a request from {peer}: {} ({}){more}",
                self.shared.config.name,
                r.status,
                r.why
            );
        }
        if let Some(hook) = &self.shared.config.on_refused {
            let target = head.map(|h| h.target.as_str());
            hook(&Refusal {
                status: r.status,
                method: head.map(|h| h.method.clone()),
                path: target.map(|t| t.split_once('?').map_or(t, |(p, _)| p).to_owned()),
                reason: r.why.clone(),
                remote: peer,
            });
        }
        let resp = Response::text(r.status, r.why.clone());
        let _ = self.write_response(&resp, false, false, 1);
        // Let the peer read the answer before the close (a reset could destroy it).
        self.stream.shutdown_write();
        self.set_timeout(Duration::from_millis(200));
        let mut sink = [0u8; 4096];
        let mut drained = 0usize;
        while drained < 1024 * 1024 {
            match self.stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
        Ended::Closed
    }
}

/// The largest refused body still read away so that the client sees the `413`.
const DISCARD_LIMIT: usize = 64 * 1024 * 1024;

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
