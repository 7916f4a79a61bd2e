//! A scripted HTTP server on 127.0.0.1 that records every request: for checking exactly
//! what the client sends.

use std::sync::{Arc, Mutex};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query, as sent.
    pub url: String,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Recorded {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.url.split('?').next().unwrap_or("")
    }

    /// The query pairs, decoded.
    pub fn query(&self) -> Vec<(String, String)> {
        let q = self.url.split_once('?').map(|(_, q)| q).unwrap_or("");
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            )
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, k: &str, v: &str) -> Answer {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// The server.
pub struct FakeServer {
    server: Option<webex_bot::unversioned::server::Server>,
    /// Requests received so far.
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
}

impl FakeServer {
    /// Serves `answers` in order (then 599 for anything more).
    pub fn start(answers: Vec<Answer>) -> FakeServer {
        Self::start_with(move |i, _| {
            answers.get(i).cloned().unwrap_or(Answer {
                status: 599,
                headers: vec![],
                body: b"no more answers".to_vec(),
            })
        })
    }

    /// Serves whatever `f(index, request)` answers, one request at a time.
    pub fn start_with(f: impl Fn(usize, &Recorded) -> Answer + Send + 'static) -> FakeServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let f = Mutex::new(f);
        let server = webex_bot::unversioned::server::Server::builder()
            .name("fake-api")
            .body_limit(256 * 1024 * 1024)
            .bind("127.0.0.1:0", move |req| {
                let f = f.lock().unwrap();
                let rec = Recorded {
                    method: req.method().to_owned(),
                    url: req.target().to_owned(),
                    headers: req
                        .headers()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                    body: req.into_body(),
                };
                let mut log = recorded.lock().unwrap();
                let a = f(log.len(), &rec);
                log.push(rec);
                drop(log);
                a.headers.into_iter().fold(
                    webex_bot::unversioned::server::Response::new(a.status).with_body(a.body),
                    |r, (k, v)| r.with_header(k, v),
                )
            })
            .expect("bind");
        FakeServer {
            origin: format!("http://{}", server.local_addr()),
            server: Some(server),
            requests,
        }
    }

    /// The recorded requests.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}
