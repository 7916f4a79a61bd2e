//! Configuring a [`Client`]: token, base URL, retries, timeouts.

use super::*;

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use webex_bot::{Client, client::RetryPolicy};
/// let client = Client::builder()
///     .token("my-token")
///     .base_url("http://127.0.0.1:8900/v1")
///     .retry(RetryPolicy::none())
///     .user_agent("ops-bot/1.0")
///     .build()
///     .unwrap();
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<crate::Secret>,
    integration: Option<(crate::oauth::Integration, crate::oauth::Tokens)>,
    on_refresh: Option<super::refresh::OnRefresh>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    max_idle_connections: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            integration: None,
            on_refresh: None,
            base_url: COMMERCIAL_BASE_URL.to_owned(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("webex-bot/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_idle_connections: 64,
        }
    }
}

impl ClientBuilder {
    /// The access token of a bot, a user or an integration (required).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().token("t");
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(crate::Secret::new(token.into()));
        self
    }

    /// An integration's tokens instead of a fixed token: the client refreshes the access
    /// token a minute before it expires, and once when Webex answers 401, and hands each
    /// new set to [`on_refresh`](Self::on_refresh) to keep. A refresh Webex refuses (a
    /// revoked or expired refresh token) fails the call with the reason.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use webex_bot::oauth::{Integration, Tokens};
    /// let app = Integration::new("id", webex_bot::Secret::new("secret"), "http://127.0.0.1:1/cb");
    /// let tokens = Tokens {
    ///     access_token: webex_bot::Secret::new("access"),
    ///     refresh_token: webex_bot::Secret::new("refresh"),
    ///     expires_at: SystemTime::now() + Duration::from_secs(3600),
    ///     refresh_expires_at: None,
    /// };
    /// let client = webex_bot::Client::builder().integration(app, tokens).build().unwrap();
    /// ```
    pub fn integration(
        mut self,
        integration: crate::oauth::Integration,
        tokens: crate::oauth::Tokens,
    ) -> Self {
        self.token = Some(tokens.access_token.clone());
        self.integration = Some((integration, tokens));
        self
    }

    /// Called with each new set of tokens an [`integration`](Self::integration)'s client
    /// refreshes, to store them (the refresh token may change).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().on_refresh(|tokens| {
    ///     let _ = tokens.expires_at; // write them where the next start finds them
    /// });
    /// ```
    pub fn on_refresh(mut self, f: impl Fn(&crate::oauth::Tokens) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(std::sync::Arc::new(f));
        self
    }

    /// The API's base URL (default [`COMMERCIAL_BASE_URL`]); for example the emulator's.
    ///
    /// ```
    /// let b = webex_bot::Client::builder().base_url("http://127.0.0.1:8900/v1");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Use Webex for Government ([`FEDRAMP_BASE_URL`]).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().fedramp();
    /// ```
    pub fn fedramp(self) -> Self {
        self.base_url(FEDRAMP_BASE_URL)
    }

    /// The longest one call may take, body included (default 60 s). Downloads are not
    /// bounded by it, only by the per-read timeout of the same length.
    ///
    /// ```
    /// let b = webex_bot::Client::builder().timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest a connection may take to open (default 10 s).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().connect_timeout(std::time::Duration::from_secs(2));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When to retry (default [`RetryPolicy::default`]).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().retry(webex_bot::client::RetryPolicy::none());
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default `webex-bot/<version>`).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().user_agent("my-bot/2.0");
    /// ```
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// How many idle connections the pool keeps (default 64).
    ///
    /// ```
    /// let b = webex_bot::Client::builder().max_idle_connections(8);
    /// ```
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle_connections = n;
        self
    }

    /// Builds the client; fails without a token, with a base URL that is not http(s), or
    /// with a user agent a header cannot carry.
    ///
    /// ```
    /// assert!(webex_bot::Client::builder().build().is_err());
    /// assert!(webex_bot::Client::builder().token("t").base_url("ftp://x").build().is_err());
    /// assert!(webex_bot::Client::builder().token("t").user_agent("a\nb").build().is_err());
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let token = self
            .token
            .filter(|t| !t.expose().trim().is_empty())
            .ok_or_else(|| Error::Config("no access token given".into()))?;
        if token.expose().chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::Config(
                "the access token has spaces or control characters".into(),
            ));
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let origin = crate::util::HttpUrl::parse(&base_url)
            .map_err(|e| {
                Error::Config(format!("base URL {base_url:?} is not an http(s) URL: {e}"))
            })?
            .origin();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(None)
            .timeout_per_call(None)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_recv_response(Some(self.timeout))
            .timeout_send_body(Some(self.timeout))
            .timeout_per_read(Some(self.timeout))
            .user_agent(self.user_agent.as_str())
            .max_idle_connections(self.max_idle_connections)
            .max_idle_connections_per_host(self.max_idle_connections)
            // Webex's headers are a few KB and bodies stream through: ureq's 128 KiB
            // buffers per pooled connection would be most of an idle bot's heap.
            .input_buffer_size(32 * 1024)
            .max_response_header_size(32 * 1024)
            .output_buffer_size(16 * 1024)
            .build();
        let authorization = crate::Secret::new(format!("Bearer {}", token.expose()));
        Ok(Client {
            inner: Arc::new(Inner {
                agent: agent(config),
                fixed: FixedHeaders::new(&authorization, &self.user_agent, &base_url)?,
                authorization,
                refresher: self.integration.map(|(integration, tokens)| {
                    super::refresh::Refresher {
                        integration,
                        tokens: std::sync::Mutex::new(tokens),
                        on_refresh: self
                            .on_refresh
                            .unwrap_or_else(|| std::sync::Arc::new(|_| {})),
                    }
                }),
                base_url,
                origin,
                retry: self.retry,
            }),
        })
    }
}

/// ureq's agent with this crate's TCP transport and name lookups made only to connect
/// (fewer system calls per request, see `transport`), behind ureq's CONNECT proxy support
/// and in front of its rustls.
fn agent(config: ureq::config::Config) -> ureq::Agent {
    use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
    let connector =
        ().chain(ConnectProxyConnector::default())
            .chain(super::transport::TcpConnector::default())
            .chain(RustlsConnector::default());
    ureq::Agent::with_parts(config, connector, super::transport::LazyResolver::default())
}
