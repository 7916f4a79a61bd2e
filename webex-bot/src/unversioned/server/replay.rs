//! A connection served from recorded bytes instead of a socket: the same parser, framing
//! and handler call, with no thread, no descriptor and no clock to wait on. For fuzzing and
//! for tests that need to control how a request is cut into reads.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

use super::conn::{self, Ended, Marks, Parked, Wire};
use super::{Inner, Request, Response, ServerBuilder};

/// A client that sends `reads` in order, one read at most each, then closes its side.
struct Recorded<'a> {
    reads: std::slice::Iter<'a, &'a [u8]>,
    current: &'a [u8],
    out: Vec<u8>,
}

impl Read for Recorded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.reads.next() {
                Some(next) => self.current = next,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = &self.current[n..];
        Ok(n)
    }
}

impl Write for Recorded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Wire for &mut Recorded<'_> {
    fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    fn shutdown_write(&mut self) {}

    fn reset_on_close(&mut self) {
        self.reads = [].iter();
        self.current = &[];
    }
}

impl ServerBuilder {
    /// Serves one connection whose client sends `reads` in that order (each arriving as one
    /// read, so a test or a fuzzer decides where a request is cut) and then closes its side;
    /// returns every byte the server wrote back. The parser, the framing rules, the limits
    /// and the handler are those of a bound server; only the socket is replaced, so there
    /// is no thread, no descriptor and no timeout.
    ///
    /// ```
    /// use webex_bot::unversioned::server::{Response, Server};
    /// let reads: &[&[u8]] = &[b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le", b"ngth: 2\r\n\r\nhi"];
    /// let wire = Server::builder().replay(reads, |req| Response::text(200, req.body().len().to_string()));
    /// let wire = String::from_utf8(wire).unwrap();
    /// assert!(wire.starts_with("HTTP/1.1 200 OK\r\n"));
    /// assert!(wire.ends_with("\r\n\r\n2"));
    /// ```
    pub fn replay<H>(self, reads: &[&[u8]], handler: H) -> Vec<u8>
    where
        H: Fn(Request) -> Response + Send + Sync + 'static,
    {
        let shared = Inner::new(self, Box::new(move |r| handler(r).into()), Weak::new());
        let busy = AtomicBool::new(false);
        let idle_since = AtomicU64::new(0);
        let marks = Marks {
            busy: &busy,
            idle_since: &idle_since,
        };
        let mut client = Recorded {
            reads: reads.iter(),
            current: &[],
            out: Vec::new(),
        };
        let peer = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let mut resume = Parked::default();
        // Work after a response runs in place, then the connection goes on.
        while let Ended::Work(work, parked) =
            conn::serve_on(&shared, &mut client, &marks, peer, resume)
        {
            conn::run_after(&shared, Some(work));
            resume = parked;
        }
        client.out
    }
}
