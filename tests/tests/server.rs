//! The HTTP server under the listener and the emulator, spoken to in raw HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use webex_bot::unversioned::server::{Response, Server};

/// A response as read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let s = TcpStream::connect(addr).unwrap();
    // Bounded waits: a stuck server fails the test instead of hanging it.
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    BufReader::new(s)
}

fn send(conn: &mut BufReader<TcpStream>, raw: &str) {
    conn.get_mut().write_all(raw.as_bytes()).unwrap();
}

/// Reads one response (`None` when the server closed the connection first).
fn read_answer(conn: &mut BufReader<TcpStream>, head_request: bool) -> Option<Answer> {
    let mut line = String::new();
    if conn.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        conn.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut answer = Answer {
        status,
        headers,
        body: String::new(),
    };
    let len: usize = answer
        .header("content-length")
        .map_or(0, |v| v.parse().unwrap());
    if !head_request && status >= 200 {
        let mut body = vec![0; len];
        conn.read_exact(&mut body).ok()?;
        answer.body = String::from_utf8(body).unwrap();
    }
    Some(answer)
}

/// True when the server closed the connection (EOF or reset), within the read timeout.
fn closed(conn: &mut BufReader<TcpStream>) -> bool {
    let mut b = [0u8; 1];
    match conn.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => {
            e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::TimedOut
        }
    }
}

/// A server answering `<method> <path> <body>`.
fn echo_server(builder: webex_bot::unversioned::server::ServerBuilder) -> Server {
    builder
        .bind("127.0.0.1:0", |req| {
            let text = format!(
                "{} {} {}",
                req.method(),
                req.target(),
                String::from_utf8_lossy(req.body())
            );
            Response::text(200, text)
        })
        .unwrap()
}

#[test]
fn keep_alive_pipelining_and_close() {
    let server = echo_server(Server::builder());
    let mut c = connect(server.local_addr());
    send(&mut c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /a ");
    // Same connection; two pipelined requests, the second asking to close.
    send(
        &mut c,
        "POST /b?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let b = read_answer(&mut c, false).unwrap();
    assert_eq!(b.body, "POST /b?x=1 hello");
    assert!(b.header("date").is_some());
    assert_eq!(b.header("connection"), None);
    let last = read_answer(&mut c, false).unwrap();
    assert_eq!(last.body, "GET /c ");
    assert_eq!(last.header("connection"), Some("close"));
    assert!(closed(&mut c));
}

#[test]
fn http_1_0_closes_unless_kept_alive_and_head_has_no_body() {
    let server = echo_server(Server::builder());
    let mut c = connect(server.local_addr());
    send(&mut c, "GET /old HTTP/1.0\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /old ");
    assert!(closed(&mut c));

    let mut c = connect(server.local_addr());
    send(&mut c, "HEAD /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let head = read_answer(&mut c, true).unwrap();
    assert_eq!(head.header("content-length"), Some("8"));
    assert_eq!(head.header("connection"), Some("keep-alive"));
    send(&mut c, "GET /again HTTP/1.0\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /again ");
}

#[test]
fn chunked_bodies_and_expect_continue() {
    let server = echo_server(Server::builder());
    let mut c = connect(server.local_addr());
    send(
        &mut c,
        "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    assert_eq!(
        read_answer(&mut c, false).unwrap().body,
        "POST /up hello world"
    );

    send(
        &mut c,
        "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
    );
    let cont = read_answer(&mut c, false).unwrap();
    assert_eq!(cont.status, 100);
    send(&mut c, "abc");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "POST /e abc");
}

#[test]
fn bad_requests_get_a_status_and_the_server_goes_on() {
    let refused = Arc::new(Mutex::new(Vec::new()));
    let seen = refused.clone();
    let server = echo_server(
        Server::builder()
            .body_limit(10)
            .head_limit(1024)
            .on_refused(move |r| seen.lock().unwrap().push((r.status, r.path.clone()))),
    );
    let addr = server.local_addr();

    // Over the body limit while waiting for 100 Continue: refused before the body is sent.
    let mut c = connect(addr);
    send(
        &mut c,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
    );
    let a = read_answer(&mut c, false).unwrap();
    assert_eq!((a.status, a.header("connection")), (413, Some("close")));

    // Over the limit with the body already on its way: still a 413, not a reset.
    let mut c = connect(addr);
    send(
        &mut c,
        &format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{}",
            "x".repeat(5000)
        ),
    );
    assert_eq!(read_answer(&mut c, false).unwrap().status, 413);

    let mut c = connect(addr);
    send(
        &mut c,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
    );
    assert_eq!(read_answer(&mut c, false).unwrap().status, 413);

    for raw in [
        "NOT HTTP AT ALL\r\n\r\n".to_owned(),
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n".to_owned(),
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_owned(),
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".to_owned(),
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_owned(),
    ] {
        let mut c = connect(addr);
        send(&mut c, &raw);
        let a = read_answer(&mut c, false).unwrap();
        assert_eq!(a.status, 400, "{raw:?} answered {a:?}");
        assert!(closed(&mut c));
    }

    let mut c = connect(addr);
    send(
        &mut c,
        &format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "y".repeat(2000)
        ),
    );
    assert_eq!(read_answer(&mut c, false).unwrap().status, 431);

    let mut c = connect(addr);
    send(&mut c, "GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /fine ");

    // Every refusal reached the hook, with the path when the head could be read.
    let refused = refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 9);
    assert_eq!(refused[0], (413, Some("/".to_owned())));
    assert_eq!(refused[3], (400, None));
    assert_eq!(refused[8], (431, None));

    // Framed both by length and chunks: served by the chunks, then the connection closes.
    let mut c = connect(addr);
    send(
        &mut c,
        "POST /both HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    );
    let a = read_answer(&mut c, false).unwrap();
    assert_eq!(
        (a.body.as_str(), a.header("connection")),
        ("POST /both ok", Some("close"))
    );
    assert!(closed(&mut c));
}

#[test]
fn a_client_stalling_mid_request_gets_408_and_idle_connections_close() {
    let server = echo_server(
        Server::builder()
            .idle_timeout(Duration::from_millis(100))
            .io_timeout(Duration::from_millis(100)),
    );
    let mut c = connect(server.local_addr());
    send(
        &mut c,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
    );
    assert_eq!(read_answer(&mut c, false).unwrap().status, 408);

    let mut c = connect(server.local_addr());
    send(&mut c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().status, 200);
    // Nothing more sent: the server closes the idle connection.
    assert!(closed(&mut c));
}

#[test]
fn a_panicking_handler_gets_500_and_the_server_goes_on() {
    let server = Server::builder()
        .bind("127.0.0.1:0", |req| {
            if req.path() == "/boom" {
                panic!("handler bug");
            }
            Response::text(200, "fine")
        })
        .unwrap();
    let mut c = connect(server.local_addr());
    send(&mut c, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().status, 500);
    send(&mut c, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "fine");
}

/// The stall tiny_http 0.12 has: with every thread holding an idle kept-alive connection,
/// new connections must still be served, however many arrive at once.
#[test]
fn new_connections_are_served_while_others_sit_idle() {
    let server = echo_server(Server::builder());
    let addr = server.local_addr();
    let mut idle: Vec<_> = (0..32)
        .map(|i| {
            let mut c = connect(addr);
            send(&mut c, &format!("GET /idle{i} HTTP/1.1\r\nHost: x\r\n\r\n"));
            assert_eq!(read_answer(&mut c, false).unwrap().status, 200);
            c
        })
        .collect();
    for round in 0..20 {
        let burst: Vec<_> = (0..16)
            .map(|i| {
                std::thread::spawn(move || {
                    let mut c = connect(addr);
                    send(
                        &mut c,
                        &format!("GET /r{round}-{i} HTTP/1.1\r\nHost: x\r\n\r\n"),
                    );
                    read_answer(&mut c, false).map(|a| a.body)
                })
            })
            .collect();
        for (i, t) in burst.into_iter().enumerate() {
            assert_eq!(
                t.join().unwrap().as_deref(),
                Some(format!("GET /r{round}-{i} ").as_str())
            );
        }
    }
    // The idle ones still work too.
    for (i, c) in idle.iter_mut().enumerate() {
        send(c, &format!("GET /again{i} HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert_eq!(
            read_answer(c, false).unwrap().body,
            format!("GET /again{i} ")
        );
    }
}

#[test]
fn at_max_connections_the_longest_idle_is_closed_to_admit_a_new_one() {
    let server = echo_server(Server::builder().max_connections(2));
    let addr = server.local_addr();
    let mut a = connect(addr);
    send(&mut a, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut a, false).unwrap().status, 200);
    let mut b = connect(addr);
    send(&mut b, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut b, false).unwrap().status, 200);
    // Both idle, a for longer: a third connection gets in, and a is the one closed.
    let mut c = connect(addr);
    send(&mut c, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /c ");
    assert!(closed(&mut a));
    send(&mut b, "GET /b2 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut b, false).unwrap().body, "GET /b2 ");
    assert_eq!(server.open_connections(), 2);
}

#[test]
fn a_request_in_progress_is_not_closed_to_admit_another() {
    let (entered_tx, entered_rx) = crossbeam_channel::bounded::<()>(1);
    let (release_tx, release_rx) = crossbeam_channel::bounded::<()>(1);
    let server = Server::builder()
        .max_connections(1)
        .bind("127.0.0.1:0", move |req| {
            if req.path() == "/slow" {
                entered_tx.send(()).unwrap();
                release_rx.recv().unwrap();
            }
            Response::text(200, req.path().to_owned())
        })
        .unwrap();
    let addr = server.local_addr();
    let mut busy = connect(addr);
    send(&mut busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    entered_rx.recv_timeout(Duration::from_secs(20)).unwrap();
    let waiting = std::thread::spawn(move || {
        let mut c = connect(addr);
        send(&mut c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        read_answer(&mut c, false).map(|a| a.body)
    });
    release_tx.send(()).unwrap();
    assert_eq!(read_answer(&mut busy, false).unwrap().body, "/slow");
    // The slow one finished, then waited and was closed for the next: both answered.
    assert_eq!(waiting.join().unwrap().as_deref(), Some("/next"));
}

#[test]
fn hostile_connections_at_the_limit_do_not_keep_a_delivery_out() {
    let server = echo_server(Server::builder().max_connections(16));
    let addr = server.local_addr();
    // 16 silent connections, then 48 sending a head a byte at a time that never ends.
    let mut hostile: Vec<TcpStream> = (0..16).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for _ in 0..48 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"G").unwrap();
        hostile.push(s);
    }
    let started = std::time::Instant::now();
    let mut c = connect(addr);
    send(
        &mut c,
        "POST /delivery HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok",
    );
    assert_eq!(
        read_answer(&mut c, false).unwrap().body,
        "POST /delivery ok"
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    // The closed ones' threads end as their sockets are shut down: back to the limit.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.open_connections() > 16 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} open",
            server.open_connections()
        );
        std::thread::yield_now();
    }
    drop(hostile);
}

#[test]
fn slow_bodies_at_the_limit_do_not_keep_a_delivery_out() {
    let server = echo_server(Server::builder().max_connections(8));
    let addr = server.local_addr();
    // Every slot held by a connection trickling a body it announced as 100 kB; each has
    // been told `100 Continue`, so each is known to be reading its body.
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut s = connect(addr);
        send(
            &mut s,
            "POST /slow HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n",
        );
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            assert_eq!(s.read(&mut byte).unwrap(), 1);
            got.push(byte[0]);
        }
        assert!(got.starts_with(b"HTTP/1.1 100 "), "{got:?}");
        s.get_mut().write_all(b"x").unwrap();
        slow.push(s);
    }
    // A delivery gets in at once: the longest-waiting slow body is closed for it (before,
    // a body being read was never closed, and it could take the head timeout plus 12 s).
    let started = std::time::Instant::now();
    let mut c = connect(addr);
    send(
        &mut c,
        "POST /delivery HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok",
    );
    assert_eq!(
        read_answer(&mut c, false).unwrap().body,
        "POST /delivery ok"
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    assert!(
        closed(&mut slow[0]),
        "the longest-waiting one is the one closed"
    );
}

#[test]
fn stop_closes_idle_connections_and_finishes_requests_in_progress() {
    let (entered_tx, entered_rx) = crossbeam_channel::bounded::<()>(1);
    let (release_tx, release_rx) = crossbeam_channel::bounded::<()>(1);
    let release_rx = Arc::new(Mutex::new(release_rx));
    let mut server = Server::builder()
        .bind("127.0.0.1:0", move |req| {
            if req.path() == "/slow" {
                entered_tx.send(()).unwrap();
                release_rx.lock().unwrap().recv().unwrap();
            }
            Response::text(200, req.path().to_owned())
        })
        .unwrap();
    let addr = server.local_addr();
    let mut idle = connect(addr);
    send(&mut idle, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut idle, false).unwrap().body, "/first");
    let slow = std::thread::spawn(move || {
        let mut c = connect(addr);
        send(&mut c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        let a = read_answer(&mut c, false).unwrap();
        let connection = a.header("connection").map(str::to_owned);
        (a.body, connection, closed(&mut c))
    });
    entered_rx.recv_timeout(Duration::from_secs(20)).unwrap();
    let stopper = std::thread::spawn(move || server.stop_within(Duration::from_secs(20)));
    // The idle connection is closed at once, though the slow request still runs.
    assert!(closed(&mut idle));
    release_tx.send(()).unwrap();
    assert_eq!(stopper.join().unwrap(), 0);
    assert_eq!(
        slow.join().unwrap(),
        ("/slow".to_owned(), Some("close".to_owned()), true)
    );
    assert!(TcpStream::connect(addr).is_err());
}

/// A head sent a byte at a time, however steadily, must still be whole within the head
/// timeout; a body within the head timeout plus its length at the minimum rate.
#[test]
fn slow_heads_and_bodies_are_cut_off_at_their_deadline() {
    let server = echo_server(
        Server::builder()
            .head_timeout(Duration::from_millis(500))
            .min_body_rate(10_000)
            .io_timeout(Duration::from_secs(5)),
    );
    let addr = server.local_addr();
    let trickle = |prefix: &'static [u8], byte: u8| {
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            s.write_all(prefix).unwrap();
            let mut answer = Vec::new();
            // A byte every 100 ms (10 B/s) until the server answers and closes, 30 s at most.
            while started.elapsed() < Duration::from_secs(30) {
                if s.write_all(&[byte]).is_err() {
                    break;
                }
                let mut buf = [0u8; 512];
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                    Err(_) => {}
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            (
                String::from_utf8_lossy(&answer).into_owned(),
                started.elapsed(),
            )
        })
    };
    let head = trickle(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", b'a');
    // 20,000 bytes at 10,000 B/s: due within 0.5 + 2 s.
    let body = trickle(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n",
        b'b',
    );
    for (what, t) in [("head", head), ("body", body)] {
        let (answer, took) = t.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{what}: {answer:?}");
        assert!(
            took < Duration::from_secs(10),
            "{what} cut off after {took:?}"
        );
    }
    // Others are served meanwhile and after.
    let mut c = connect(addr);
    send(&mut c, "GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(read_answer(&mut c, false).unwrap().body, "GET /fine ");
}
