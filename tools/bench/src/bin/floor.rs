//! The floor of a command on this machine: a program that does only what answering one
//! webhook must, for `loadgen --bot target/release/floor` to measure beside the echo bot.
//!
//! Per webhook: read it (httparse), check its HMAC, answer 200, parse its JSON for the
//! message id, `GET /v1/messages/{id}` and parse the answer's JSON for the text, `POST
//! /v1/messages` the reply and read the answer: the three loopback exchanges, one HMAC and
//! two small JSON parses of the issue that set the 60 µs goal, on blocking sockets kept
//! alive, a thread per connection as the bot's listener has, each with its own
//! connection to the API. Nothing else: no retries, timeouts, pool, hand-off, dedup,
//! dispatch, logging or limits, and it trusts its peers (a malformed message ends the
//! connection). Its CPU time per command, measured in the same minutes as the bot's, says
//! how much of the bot's is the machine's cost of the exchanges themselves, which moves
//! with the machine's load, and how much is the bot's own work.
//!
//! `FLOOR_CLIENT` chooses who makes the two API calls, to tell the HTTP client's share
//! apart from the rest: `raw` (the default) writes them on the thread's own kept-alive
//! socket as above; `ureq` makes them with one `ureq::Agent` shared by the threads (its
//! pool, its default transport, the buffers the bot's client sets); `client` with one
//! [`webex_bot::Client`] (`messages().get` and `messages().create`: the bot's transport
//! and retry policy, each answer parsed into a `Message`). The rest is the same in all
//! three.
//!
//! ```sh
//! cargo build --release -p webex-bot-examples -p webex-bot-bench
//! target/release/loadgen --bot target/release/floor --concurrency 8,64 --events 20000
//! ```

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

use webex_bot::webhook::{Secret, verify};

/// A kept-alive connection and the bytes read from it but not yet consumed.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// What each read fills, zeroed once (an array on the stack would be zeroed for each).
    scratch: Box<[u8; 4096]>,
}

/// One message read: where its body is in the buffer, and the two headers used here.
struct Message {
    head_len: usize,
    body_len: usize,
    target: String,
    signature: Option<String>,
}

impl Conn {
    fn new(stream: TcpStream) -> Conn {
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            buf: Vec::with_capacity(8192),
            scratch: Box::new([0; 4096]),
        }
    }

    /// Reads until `self.buf` holds at least `n` bytes; `false` at the end of the stream.
    fn fill_to(&mut self, n: usize) -> io::Result<bool> {
        while self.buf.len() < n {
            let got = self.stream.read(&mut self.scratch[..])?;
            if got == 0 {
                return Ok(false);
            }
            self.buf.extend_from_slice(&self.scratch[..got]);
        }
        Ok(true)
    }

    /// The next request (`response` false) or response, whole; `None` at the end.
    fn read(&mut self, response: bool) -> io::Result<Option<Message>> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let parsed = if response {
                let mut r = httparse::Response::new(&mut headers);
                match r.parse(&self.buf).map_err(io::Error::other)? {
                    httparse::Status::Complete(n) => Some(head(n, String::new(), r.headers)),
                    httparse::Status::Partial => None,
                }
            } else {
                let mut r = httparse::Request::new(&mut headers);
                match r.parse(&self.buf).map_err(io::Error::other)? {
                    httparse::Status::Complete(n) => {
                        Some(head(n, r.path.unwrap_or("/").to_owned(), r.headers))
                    }
                    httparse::Status::Partial => None,
                }
            };
            let want = match &parsed {
                Some(m) => m.head_len + m.body_len,
                None => self.buf.len() + 1,
            };
            if !self.fill_to(want)? {
                return Ok(None);
            }
            if parsed.is_some() {
                return Ok(parsed);
            }
        }
    }

    fn body(&self, m: &Message) -> &[u8] {
        &self.buf[m.head_len..m.head_len + m.body_len]
    }

    /// Drops a message that has been dealt with from the buffer.
    fn consume(&mut self, m: &Message) {
        self.buf.drain(..m.head_len + m.body_len);
    }
}

/// A parsed head: its length, the body's, and the target and signature, copied out.
fn head(head_len: usize, target: String, headers: &[httparse::Header<'_>]) -> Message {
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    };
    Message {
        head_len,
        body_len: header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        target,
        signature: header("x-spark-signature").map(str::to_owned),
    }
}

#[derive(serde::Deserialize)]
struct Webhook<'a> {
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(serde::Deserialize)]
struct Data<'a> {
    id: &'a str,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fetched<'a> {
    room_id: &'a str,
    text: &'a str,
}

/// Where the API is: its address and the path prefix (`/v1`), and who calls it.
struct Api {
    addr: String,
    prefix: String,
    authorization: String,
    /// `WEBEX_BASE_URL` as given, for the clients.
    base_url: String,
    caller: Caller,
}

/// Who makes the two API calls (`FLOOR_CLIENT`).
enum Caller {
    /// The thread itself, on its own kept-alive socket.
    Raw,
    /// One ureq agent for all threads.
    Ureq(ureq::Agent),
    /// The bot's client.
    Client(webex_bot::Client),
}

/// Serves one connection from the load generator.
fn serve(stream: TcpStream, api: &Api, secret: &Secret) -> io::Result<()> {
    let mut conn = Conn::new(stream);
    let mut upstream: Option<Conn> = None;
    let mut out = Vec::with_capacity(512);
    while let Some(m) = conn.read(false)? {
        if m.target == "/health" {
            let body = r#"{"status":"ready"}"#;
            write!(
                conn.stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )?;
            conn.consume(&m);
            continue;
        }
        let body = conn.body(&m);
        if verify(secret, body, m.signature.as_deref()).is_err() {
            conn.stream
                .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")?;
            conn.consume(&m);
            continue;
        }
        let id = serde_json::from_slice::<Webhook>(body)
            .map_err(io::Error::other)?
            .data
            .id
            .to_owned();
        conn.stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")?;
        conn.consume(&m);

        match &api.caller {
            Caller::Raw => {}
            Caller::Ureq(agent) => {
                by_ureq(agent, api, &id)?;
                continue;
            }
            Caller::Client(client) => {
                let fetched = client.messages().get(&id).map_err(io::Error::other)?;
                let text = fetched.text.as_deref().unwrap_or_default();
                let reply = text.strip_prefix("echo ").unwrap_or(text);
                let room = fetched.room_id.as_deref().unwrap_or_default();
                client
                    .messages()
                    .create(&webex_bot::models::NewMessage::to_room(room).text(reply))
                    .map_err(io::Error::other)?;
                continue;
            }
        }
        let api_conn = match &mut upstream {
            Some(c) => c,
            None => upstream.insert(Conn::new(TcpStream::connect(&api.addr)?)),
        };
        out.clear();
        write!(
            out,
            "GET {}/messages/{id} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\r\n",
            api.prefix, api.addr, api.authorization
        )?;
        api_conn.stream.write_all(&out)?;
        let answer = api_conn.read(true)?.ok_or(io::ErrorKind::UnexpectedEof)?;
        let fetched: Fetched =
            serde_json::from_slice(api_conn.body(&answer)).map_err(io::Error::other)?;
        // The echo command's answer: the text after `echo `.
        let reply = fetched.text.strip_prefix("echo ").unwrap_or(fetched.text);
        let json = format!(r#"{{"roomId":"{}","text":"{reply}"}}"#, fetched.room_id);
        api_conn.consume(&answer);
        out.clear();
        write!(
            out,
            "POST {}/messages HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
            api.prefix,
            api.addr,
            api.authorization,
            json.len()
        )?;
        api_conn.stream.write_all(&out)?;
        let answer = api_conn.read(true)?.ok_or(io::ErrorKind::UnexpectedEof)?;
        api_conn.consume(&answer);
    }
    Ok(())
}

/// The two calls made with ureq.
fn by_ureq(agent: &ureq::Agent, api: &Api, id: &str) -> io::Result<()> {
    let base = &api.base_url;
    let mut answer = agent
        .get(format!("{base}/messages/{id}"))
        .header("Authorization", &api.authorization)
        .call()
        .map_err(io::Error::other)?;
    let body = answer.body_mut().read_to_vec().map_err(io::Error::other)?;
    let fetched: Fetched = serde_json::from_slice(&body).map_err(io::Error::other)?;
    let reply = fetched.text.strip_prefix("echo ").unwrap_or(fetched.text);
    let json = format!(r#"{{"roomId":"{}","text":"{reply}"}}"#, fetched.room_id);
    let mut answer = agent
        .post(format!("{base}/messages"))
        .header("Authorization", &api.authorization)
        .content_type("application/json")
        .send(json.as_bytes())
        .map_err(io::Error::other)?;
    answer.body_mut().read_to_vec().map_err(io::Error::other)?;
    Ok(())
}

fn main() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let base = var("WEBEX_BASE_URL");
    let rest = base
        .strip_prefix("http://")
        .expect("WEBEX_BASE_URL is an http:// URL");
    let (addr, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let api = Api {
        addr: addr.to_owned(),
        prefix: if prefix.is_empty() {
            String::new()
        } else {
            format!("/{prefix}")
        },
        authorization: format!("Bearer {}", var("WEBEX_ACCESS_TOKEN")),
        base_url: base.trim_end_matches('/').to_owned(),
        caller: match std::env::var("FLOOR_CLIENT").as_deref() {
            Err(_) | Ok("raw") => Caller::Raw,
            Ok("ureq") => Caller::Ureq(
                ureq::Agent::config_builder()
                    .input_buffer_size(32 * 1024)
                    .output_buffer_size(16 * 1024)
                    .build()
                    .into(),
            ),
            Ok("client") => Caller::Client(webex_bot::Client::from_env().expect("the client")),
            Ok(other) => panic!("FLOOR_CLIENT is raw, ureq or client, not {other:?}"),
        },
    };
    let secret = Secret::new(var("WEBEX_WEBHOOK_SECRET"));
    let listener = TcpListener::bind(var("WEBEX_LISTEN")).expect("bind WEBEX_LISTEN");
    let shared = std::sync::Arc::new((api, secret));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        std::thread::spawn(move || {
            let _ = serve(stream, &shared.0, &shared.1);
        });
    }
}
