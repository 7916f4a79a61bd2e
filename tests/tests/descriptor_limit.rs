//! Out of file descriptors: the listener frees one by closing its longest-idle connection
//! and goes on accepting, instead of failing (and logging) on every attempt. Alone in its
//! test binary: it lowers the process's limit on open files.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use webex_bot::unversioned::server::{Response, Server};

/// The numbers of the open descriptors.
fn open_fds() -> Vec<u64> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// The limit on open files that leaves exactly `free` descriptor numbers unused below it
/// (a new descriptor takes the lowest free number, and must be under the limit).
fn limit_leaving(free: u64) -> u64 {
    let open = open_fds();
    (1..)
        .find(|l| l - open.iter().filter(|n| *n < l).count() as u64 == free)
        .unwrap()
}

/// Sends a request and reads the answer's status line; `None` when the connection closed.
fn ask(c: &mut BufReader<TcpStream>, path: &str) -> Option<String> {
    c.get_mut()
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .ok()?;
    let mut status = String::new();
    if c.read_line(&mut status).ok()? == 0 {
        return None;
    }
    let mut len = 0;
    loop {
        let mut h = String::new();
        c.read_line(&mut h).ok()?;
        let h = h.trim_end().to_ascii_lowercase();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; len];
    c.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn out_of_descriptors_the_longest_idle_connection_makes_room() {
    let server = Server::builder()
        .bind("127.0.0.1:0", |req| {
            Response::text(200, req.path().to_owned())
        })
        .unwrap();
    let addr = server.local_addr();
    let connect = || {
        let s = TcpStream::connect(addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Some(BufReader::new(s))
    };
    // Room for ten connections (a descriptor on each side) and one more client socket.
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    rlimit::setrlimit(rlimit::Resource::NOFILE, limit_leaving(21), hard).unwrap();
    let mut conns: Vec<_> = (0..10)
        .map(|i| {
            let mut c = connect().expect("room for ten");
            assert_eq!(
                ask(&mut c, &format!("/{i}")).as_deref(),
                Some(format!("/{i}").as_str())
            );
            c
        })
        .collect();
    for round in 0..3 {
        // The server has no descriptor left for this one: it closes the longest-idle
        // connection (the oldest still open) and serves it.
        let mut c = connect().expect("a client descriptor is left");
        assert_eq!(
            ask(&mut c, &format!("/new{round}")).as_deref(),
            Some(format!("/new{round}").as_str()),
            "round {round}"
        );
        let oldest = &mut conns[0];
        let mut b = [0u8; 1];
        assert_eq!(
            oldest.get_mut().read(&mut b).unwrap_or(0),
            0,
            "round {round}"
        );
        // Its client side goes too, which leaves one descriptor for the next round.
        conns.remove(0);
        conns.push(c);
    }
    // The others still work.
    for c in conns.iter_mut() {
        assert_eq!(ask(c, "/again").as_deref(), Some("/again"));
    }
}
