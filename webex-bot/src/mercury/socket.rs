//! The websocket itself: TCP, TLS through rustls with the same roots as the REST client
//! (webpki-roots), the upgrade, the authorization frame, and reads bounded in time.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tungstenite::protocol::WebSocketConfig;
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{HandshakeError, Message, WebSocket};

use crate::Secret;

/// The largest frame read: activities are a few kilobytes.
const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// TCP, or TLS over TCP.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(t) => t,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(t) => t.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(t) => t.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(t) => t.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Why a connection could not be opened.
#[derive(Debug)]
pub(crate) enum ConnectError {
    /// The upgrade was answered 404: the registration is stale.
    NotFound,
    /// The upgrade was answered with another status.
    Status(u16),
    /// The URL could not be used.
    Url(String),
    /// The network or TLS failed.
    Io(io::Error),
    /// Anything else tungstenite reports.
    Protocol(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::NotFound => write!(f, "the websocket answered 404 (stale registration)"),
            ConnectError::Status(s) => write!(f, "the websocket upgrade was answered {s}"),
            ConnectError::Url(u) => write!(f, "unusable websocket URL: {u}"),
            ConnectError::Io(e) => write!(f, "could not reach the websocket: {e}"),
            ConnectError::Protocol(e) => write!(f, "websocket handshake failed: {e}"),
        }
    }
}

/// An open, authorized-or-about-to-be connection.
pub(crate) struct Socket {
    ws: WebSocket<Stream>,
    /// A second handle on the TCP socket, to wake a blocked read at shutdown.
    waker: TcpStream,
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// The query the bot adds, as Webex's own web client does: text frames, and a
/// `mercury.buffer_state` event once the authorization is accepted.
fn with_options(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}outboundWireFormat=text&bufferStates=true&aliasHttpStatus=true")
}

impl Socket {
    /// Connects to `url` (`ws://` or `wss://`) within `timeout` per step and sends the
    /// authorization frame.
    pub(crate) fn connect(
        url: &str,
        authorization: &Secret,
        timeout: Duration,
    ) -> Result<Socket, ConnectError> {
        Self::connect_with(url, authorization, timeout, tls_config())
    }

    /// As [`connect`](Self::connect), with this TLS configuration (tests trust their own
    /// certificate this way).
    fn connect_with(
        url: &str,
        authorization: &Secret,
        timeout: Duration,
        tls_config: Arc<rustls::ClientConfig>,
    ) -> Result<Socket, ConnectError> {
        let full = with_options(url);
        let uri: tungstenite::http::Uri = full
            .parse()
            .map_err(|e| ConnectError::Url(format!("{url}: {e}")))?;
        let tls = match uri.scheme_str() {
            Some("wss") => true,
            Some("ws") => false,
            _ => return Err(ConnectError::Url(format!("{url}: not ws:// or wss://"))),
        };
        let host = uri
            .host()
            .ok_or_else(|| ConnectError::Url(format!("{url}: no host")))?
            .trim_matches(['[', ']'])
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let addrs: Vec<_> = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(ConnectError::Io)?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
        let mut tcp = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(t) => {
                    tcp = Some(t);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = tcp.ok_or(ConnectError::Io(last))?;
        tcp.set_nodelay(true).map_err(ConnectError::Io)?;
        tcp.set_read_timeout(Some(timeout))
            .map_err(ConnectError::Io)?;
        tcp.set_write_timeout(Some(timeout))
            .map_err(ConnectError::Io)?;
        let waker = tcp.try_clone().map_err(ConnectError::Io)?;
        let stream = if tls {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| ConnectError::Url(format!("{url}: {e}")))?;
            let conn = rustls::ClientConnection::new(tls_config, name)
                .map_err(|e| ConnectError::Protocol(e.to_string()))?;
            Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp)))
        } else {
            Stream::Plain(tcp)
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let (ws, _response) =
            match tungstenite::client::client_with_config(full.as_str(), stream, Some(config)) {
                Ok(ok) => ok,
                Err(HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
                    let status = resp.status().as_u16();
                    return Err(if status == 404 {
                        ConnectError::NotFound
                    } else {
                        ConnectError::Status(status)
                    });
                }
                Err(HandshakeError::Failure(tungstenite::Error::Io(e))) => {
                    return Err(ConnectError::Io(e));
                }
                Err(HandshakeError::Failure(e)) => {
                    return Err(ConnectError::Protocol(e.to_string()));
                }
                Err(HandshakeError::Interrupted(_)) => {
                    return Err(ConnectError::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the websocket upgrade timed out",
                    )));
                }
            };
        let mut socket = Socket { ws, waker };
        let auth = serde_json::json!({
            "id": crate::util::uuid4(),
            "type": "authorization",
            "data": { "token": authorization.expose() },
        });
        let mut frame = serde_json::to_string(&auth).expect("json");
        let sent = socket.send_text(&frame);
        zeroize::Zeroize::zeroize(&mut frame);
        sent.map_err(|e| ConnectError::Protocol(format!("sending the authorization: {e}")))?;
        Ok(socket)
    }

    /// A handle that wakes a blocked [`read`](Self::read) when shut down.
    pub(crate) fn waker(&self) -> io::Result<TcpStream> {
        self.waker.try_clone()
    }

    /// Sends a text frame.
    pub(crate) fn send_text(&mut self, text: &str) -> Result<(), tungstenite::Error> {
        self.ws.send(Message::text(text))
    }

    /// The next frame, or `None` when `until` passes first.
    pub(crate) fn read(&mut self, until: Instant) -> Result<Option<Message>, tungstenite::Error> {
        let left = until
            .checked_duration_since(Instant::now())
            .unwrap_or_default()
            .max(Duration::from_millis(1));
        self.ws
            .get_ref()
            .tcp()
            .set_read_timeout(Some(left))
            .map_err(tungstenite::Error::Io)?;
        match self.ws.read() {
            Ok(m) => Ok(Some(m)),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends what tungstenite has queued (the answer to the server's close frame, say),
    /// ignoring failures: the connection is ending.
    pub(crate) fn finish(&mut self) {
        let _ = self.ws.flush();
    }

    /// Closes with `code` and `reason`, waiting at most `within` for the server's answer.
    pub(crate) fn close(&mut self, code: u16, reason: &str, within: Duration) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        if self.ws.close(Some(frame)).is_err() {
            return;
        }
        let until = Instant::now() + within;
        while Instant::now() < until {
            match self.read(until) {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        let _ = self.waker.shutdown(Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A certificate for `localhost`, and a TLS server configuration presenting it.
    fn localhost() -> (
        rustls::pki_types::CertificateDer<'static>,
        Arc<rustls::ServerConfig>,
    ) {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let der = cert.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der.clone()], key)
            .unwrap();
        (der, Arc::new(config))
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// Over TLS, as with Webex: the handshake checks the certificate against the roots,
    /// the authorization frame goes first, and frames pass both ways.
    #[test]
    fn wss_round_trip_with_a_verified_certificate() {
        let (der, server_config) = localhost();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(server_config).unwrap();
            let tls = rustls::StreamOwned::new(conn, tcp);
            let mut ws = tungstenite::accept(tls).unwrap();
            let auth = ws.read().unwrap().into_text().unwrap().to_string();
            ws.send(Message::text("{\"type\":\"pong\"}")).unwrap();
            ws.flush().unwrap();
            // Waits for the client's close.
            while ws.read().is_ok() {}
            auth
        });
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der).unwrap();
        let client_config = Arc::new(
            rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        );
        let secret = Secret::new("Bearer the-token");
        let url = format!("wss://localhost:{port}/v1/apps/wx2/registrations/r/messages");
        let mut socket =
            Socket::connect_with(&url, &secret, Duration::from_secs(10), client_config).unwrap();
        let got = socket
            .read(Instant::now() + Duration::from_secs(10))
            .unwrap()
            .expect("a frame");
        assert_eq!(got.into_text().unwrap().as_str(), "{\"type\":\"pong\"}");
        socket.close(1000, "done", Duration::from_secs(5));
        let auth: serde_json::Value = serde_json::from_str(&server.join().unwrap()).unwrap();
        assert_eq!(auth["type"], "authorization");
        assert_eq!(auth["data"]["token"], "Bearer the-token");
    }

    #[test]
    fn wss_refuses_a_certificate_it_does_not_trust() {
        let (_, server_config) = localhost();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(server_config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut buf = [0u8; 16];
            // The client gives up during the handshake.
            let _ = tls.read(&mut buf);
        });
        let url = format!("wss://localhost:{port}/x");
        // The public roots, as in production: a self-signed certificate is refused, and
        // the token never sent.
        let err = Socket::connect(&url, &Secret::new("Bearer t"), Duration::from_secs(10))
            .err()
            .expect("refused");
        let text = err.to_string();
        assert!(
            text.contains("certificate") || text.contains("Unknown") || text.contains("invalid"),
            "{text}"
        );
        server.join().unwrap();
    }
}
