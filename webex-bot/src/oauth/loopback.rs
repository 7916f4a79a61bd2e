//! The blocking helper for command-line programs: a one-shot HTTP listener on the loopback
//! address of the integration's redirect URI, which takes the browser's redirect, checks
//! its `state`, exchanges the code and tells the user in the browser how it went.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::{Authorization, Integration, OAuthError, Tokens};

/// The largest request head taken from the browser.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const PER_REQUEST: Duration = Duration::from_secs(10);

/// What one request to the listener was.
#[derive(Debug, PartialEq, Eq)]
enum Redirect {
    /// Not the redirect path (a favicon, a stray request): answered 404, waiting goes on.
    Other,
    /// The redirect with a code.
    Code { code: String, state: String },
    /// The redirect with an error (the user declined).
    Error { error: String, description: String },
}

impl Integration {
    /// Runs the authorization for a command-line program: listens on the redirect URI's
    /// address (it must be `http://127.0.0.1:PORT/...`, `http://[::1]:PORT/...` or
    /// `http://localhost:PORT/...`, as registered for the integration), gives the URL to
    /// open to `show_url` (print it, or open a browser), waits up to `wait` for the
    /// browser's redirect, checks its `state`, exchanges the code and returns the tokens.
    /// The browser is told whether it worked and that the tab can be closed.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use webex_bot::{Secret, oauth::Integration};
    /// let app = Integration::new("client-id", Secret::new("client-secret"), "http://127.0.0.1:8765/callback");
    /// let tokens = app.authorize_on_loopback(&["spark:messages_write"], Duration::from_secs(300), |url| {
    ///     eprintln!("Open this address in your browser:\n  {url}");
    /// })?;
    /// # Ok::<(), webex_bot::oauth::OAuthError>(())
    /// ```
    pub fn authorize_on_loopback(
        &self,
        scopes: &[&str],
        wait: Duration,
        show_url: impl FnOnce(&str),
    ) -> Result<Tokens, OAuthError> {
        let addr = loopback_addr(&self.redirect_uri)?;
        let listener = TcpListener::bind(addr).map_err(|e| {
            OAuthError::Redirect(format!(
                "cannot listen on {addr} for the redirect to {}: {e}",
                self.redirect_uri
            ))
        })?;
        self.authorize_with_listener(listener, scopes, wait, show_url)
    }

    /// [`authorize_on_loopback`](Self::authorize_on_loopback) with a listener the caller
    /// bound (tests bind port 0 and register the integration with the port they got).
    ///
    /// ```no_run
    /// use std::{net::TcpListener, time::Duration};
    /// use webex_bot::{Secret, oauth::Integration};
    /// let listener = TcpListener::bind("127.0.0.1:0")?;
    /// let redirect = format!("http://{}/callback", listener.local_addr()?);
    /// let app = Integration::new("client-id", Secret::new("client-secret"), redirect);
    /// let tokens = app.authorize_with_listener(listener, &["spark:all"], Duration::from_secs(60), |url| println!("{url}"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize_with_listener(
        &self,
        listener: TcpListener,
        scopes: &[&str],
        wait: Duration,
        show_url: impl FnOnce(&str),
    ) -> Result<Tokens, OAuthError> {
        let path = redirect_path(&self.redirect_uri)?;
        let local = listener
            .local_addr()
            .map_err(|e| OAuthError::Redirect(format!("the redirect listener: {e}")))?;
        let auth = self.authorization(scopes);
        show_url(auth.url());
        let deadline = Instant::now() + wait;
        // Wakes the blocking accept at the deadline: a connection of our own, which is then
        // seen as the deadline having passed.
        let (done, finished) = crossbeam_channel::bounded::<()>(1);
        let waker = std::thread::Builder::new()
            .name("oauth-redirect-timer".into())
            .spawn(move || {
                if finished.recv_timeout(wait).is_err() {
                    let _ = TcpStream::connect_timeout(&local, Duration::from_secs(1));
                }
            })
            .map_err(|e| OAuthError::Redirect(format!("cannot start a thread: {e}")))?;
        let result = self.take_redirect(&listener, &path, &auth, deadline);
        drop(done);
        let _ = waker.join();
        result
    }

    fn take_redirect(
        &self,
        listener: &TcpListener,
        path: &str,
        auth: &Authorization,
        deadline: Instant,
    ) -> Result<Tokens, OAuthError> {
        loop {
            let accepted = listener.accept();
            let now = Instant::now();
            if now >= deadline {
                return Err(OAuthError::Timeout);
            }
            let mut stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => {
                    return Err(OAuthError::Redirect(format!(
                        "the redirect listener stopped: {e}"
                    )));
                }
            };
            let left = (deadline - now).min(PER_REQUEST);
            let _ = stream.set_read_timeout(Some(left));
            let _ = stream.set_write_timeout(Some(PER_REQUEST));
            let redirect = match read_head(&mut stream).and_then(|head| parse(&head, path)) {
                Ok(r) => r,
                Err(status) => {
                    answer(
                        &mut stream,
                        status,
                        "That is not a request this page takes.",
                    );
                    continue;
                }
            };
            match redirect {
                Redirect::Other => answer(&mut stream, 404, "Nothing here."),
                Redirect::Error { error, description } => {
                    answer(
                        &mut stream,
                        200,
                        "The authorization was not given. You can close this tab.",
                    );
                    return Err(OAuthError::Denied { error, description });
                }
                Redirect::Code { code, state } => {
                    let result = self.exchange(auth, &state, &code);
                    match &result {
                        Ok(_) => answer(
                            &mut stream,
                            200,
                            "Authorized. You can close this tab and go back to the terminal.",
                        ),
                        Err(e) => answer(&mut stream, 400, &format!("Not authorized: {e}")),
                    }
                    return result;
                }
            }
        }
    }
}

/// The socket address of a loopback redirect URI.
fn loopback_addr(uri: &str) -> Result<SocketAddr, OAuthError> {
    let not_loopback = || {
        OAuthError::Redirect(format!(
            "the redirect URI {uri} is not http://127.0.0.1:PORT/..., http://[::1]:PORT/... or http://localhost:PORT/...: a command-line program can only take the redirect on this machine"
        ))
    };
    let rest = uri.strip_prefix("http://").ok_or_else(not_loopback)?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let (host, port) = authority.rsplit_once(':').ok_or_else(not_loopback)?;
    let port: u16 = port.parse().map_err(|_| not_loopback())?;
    let host = match host {
        "localhost" => "127.0.0.1",
        "127.0.0.1" => "127.0.0.1",
        "[::1]" => "::1",
        _ => return Err(not_loopback()),
    };
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(not_loopback)
}

/// The path of the redirect URI (`/` when it has none).
fn redirect_path(uri: &str) -> Result<String, OAuthError> {
    let rest = uri
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| OAuthError::Redirect(format!("the redirect URI {uri} has no scheme")))?;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Ok(path.split(['?', '#']).next().unwrap_or("/").to_owned())
}

/// The request head, bounded in size (the status to answer when it is not a request).
fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, u16> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        let n = stream.read(&mut buf).map_err(|_| 408u16)?;
        if n == 0 {
            return Err(400);
        }
        head.extend_from_slice(&buf[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(431);
        }
    }
}

/// What a request head asks for.
fn parse(head: &[u8], path: &str) -> Result<Redirect, u16> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(400),
    }
    if req.method != Some("GET") {
        return Err(405);
    }
    let target = req.path.unwrap_or_default();
    let (p, query) = target.split_once('?').unwrap_or((target, ""));
    if p != path {
        return Ok(Redirect::Other);
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = String::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = v.into_owned(),
            _ => {}
        }
    }
    match (error, code) {
        (Some(error), _) => Ok(Redirect::Error { error, description }),
        (None, Some(code)) => Ok(Redirect::Code {
            code,
            state: state.unwrap_or_default(),
        }),
        (None, None) => Ok(Redirect::Other),
    }
}

fn answer(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        _ => "Request Header Fields Too Large",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Webex authorization</title></head><body><p>{}</p></body></html>",
        html_escape(text)
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_are_taken() {
        assert_eq!(
            loopback_addr("http://127.0.0.1:8765/cb").unwrap(),
            "127.0.0.1:8765".parse().unwrap()
        );
        assert_eq!(loopback_addr("http://localhost:9/").unwrap().port(), 9);
        assert!(loopback_addr("http://[::1]:9/cb").unwrap().is_ipv6());
        for bad in [
            "https://127.0.0.1:1/cb",
            "http://example.com:80/cb",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:x/cb",
            "http://10.0.0.1:80/cb",
        ] {
            let e = loopback_addr(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn the_redirect_path_is_matched_exactly() {
        assert_eq!(redirect_path("http://127.0.0.1:1/cb?x=1").unwrap(), "/cb");
        assert_eq!(redirect_path("http://127.0.0.1:1").unwrap(), "/");
        let req = |target: &str| format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(
            parse(req("/cb?code=c&state=s").as_bytes(), "/cb"),
            Ok(Redirect::Code {
                code: "c".into(),
                state: "s".into()
            })
        );
        assert_eq!(
            parse(
                req("/cb?error=access_denied&error_description=no+thanks&state=s").as_bytes(),
                "/cb"
            ),
            Ok(Redirect::Error {
                error: "access_denied".into(),
                description: "no thanks".into()
            })
        );
        assert_eq!(
            parse(req("/favicon.ico").as_bytes(), "/cb"),
            Ok(Redirect::Other)
        );
        assert_eq!(
            parse(req("/cbx?code=c").as_bytes(), "/cb"),
            Ok(Redirect::Other)
        );
        assert_eq!(parse(b"POST /cb HTTP/1.1\r\n\r\n", "/cb"), Err(405));
        assert_eq!(parse(b"\x00\x01 nonsense\r\n\r\n", "/cb"), Err(400));
    }

    #[test]
    fn the_page_escapes_what_it_shows() {
        assert_eq!(
            html_escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
