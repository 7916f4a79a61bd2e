//! What a connection costs in file descriptors. Alone in its test binary: it counts the
//! process's descriptors, which tests running beside it would change.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use webex_bot::unversioned::server::{Response, Server};

fn status(conn: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    // The rest of the head and the body ("ok"): read so the connection can be reused.
    let mut len = 0;
    loop {
        let mut h = String::new();
        conn.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    std::io::Read::read_exact(conn, &mut body).unwrap();
    status
}

/// One file descriptor per connection on the server's side (the connection's thread and
/// the acceptor share its socket): with `n` open, the process holds `2 n` more
/// descriptors, the test's own client sockets included.
#[cfg(target_os = "linux")]
#[test]
fn a_connection_costs_one_descriptor() {
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let server = Server::builder()
        .bind("127.0.0.1:0", |_| Response::text(200, "ok"))
        .unwrap();
    let addr = server.local_addr();
    let before = fds();
    let mut conns: Vec<_> = (0..50)
        .map(|_| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            BufReader::new(s)
        })
        .collect();
    // Each answered once, so each is accepted and served by now.
    for (i, c) in conns.iter_mut().enumerate() {
        c.get_mut()
            .write_all(format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .unwrap();
        assert_eq!(status(c), 200);
    }
    assert_eq!(server.open_connections(), 50);
    assert_eq!(fds() - before, 100);
}
