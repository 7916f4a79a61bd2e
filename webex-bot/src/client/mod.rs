//! The blocking Webex REST client.
//!
//! [`Client`] is cheap to clone (it shares one connection pool) and safe to use from many
//! threads. Each resource has an accessor returning a small API handle:
//! `client.messages().create(..)`, `client.rooms().list(..)`, and so on.

mod answer;
mod api;
mod builder;
mod error;
mod files;
mod headers;
mod multipart;
mod pages;
mod query;
mod refresh;
mod retry;
mod transport;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use ureq::http::{self, Method};

pub use api::PersonOptions;
pub use api::{
    ApplicationsApi, AttachmentActionsApi, EventsApi, LicensesApi, ListDirectMessages, ListEvents,
    ListLicenses, ListMemberships, ListMessages, ListOrganizations, ListPeople, ListRoles,
    ListRooms, ListTeamMemberships, ListTeams, ListWebhooks, MembershipsApi, MessagesApi,
    OrganizationsApi, PeopleApi, RolesApi, RoomsApi, TeamMembershipsApi, TeamsApi, WebhooksApi,
};
pub use builder::ClientBuilder;
pub use error::{ApiError, Cause, Error};
pub use files::{FileInfo, FilesApi, Upload};
pub use pages::Pages;
pub use retry::RetryPolicy;

pub(crate) use answer::read_json;
use answer::{api_error, drain};
use headers::{Bearer, FixedHeaders};
use multipart::Multipart;
use retry::{Failure, RetryAfter};

/// The commercial Webex API, the default base URL.
///
/// ```
/// assert_eq!(webex_bot::Client::new("t").base_url(), webex_bot::client::COMMERCIAL_BASE_URL);
/// ```
pub const COMMERCIAL_BASE_URL: &str = "https://webexapis.com/v1";
/// Webex for Government (FedRAMP).
///
/// ```
/// let c = webex_bot::Client::builder().token("t").fedramp().build().unwrap();
/// assert_eq!(c.base_url(), webex_bot::client::FEDRAMP_BASE_URL);
/// ```
pub const FEDRAMP_BASE_URL: &str = "https://api-usgov.webex.com/v1";

/// A blocking Webex REST client.
///
/// # Example
/// ```no_run
/// use webex_bot::{Client, models::NewMessage};
/// # fn main() -> Result<(), webex_bot::client::Error> {
/// let client = Client::from_env()?; // WEBEX_ACCESS_TOKEN, WEBEX_BASE_URL
/// let me = client.people().me()?;
/// println!("I am {}", me.display_name.unwrap_or_default());
/// client.messages().create(&NewMessage::to_email("alice@example.com").markdown("**hello**"))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    /// `Bearer <token>`, wiped when the client goes.
    authorization: crate::Secret,
    /// The headers every request carries, made once: given to ureq as they are, they are
    /// not copied and checked again for each request.
    fixed: FixedHeaders,
    /// For an integration's tokens: refreshes them (and the header) when they expire.
    refresher: Option<refresh::Refresher>,
    base_url: String,
    origin: String,
    retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &"<redacted>")
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// A client for the commercial Webex API with this access token and default settings.
    ///
    /// ```
    /// let client = webex_bot::Client::new("my-token");
    /// assert_eq!(client.base_url(), "https://webexapis.com/v1");
    /// assert!(!format!("{client:?}").contains("my-token"));
    /// ```
    pub fn new(token: impl Into<String>) -> Client {
        Client::builder()
            .token(token)
            .build()
            .expect("the default base URL is valid")
    }

    /// A builder, to set the base URL, timeouts, retries or user agent.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = webex_bot::Client::builder()
    ///     .token("my-token")
    ///     .fedramp()
    ///     .timeout(Duration::from_secs(10))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.base_url(), "https://api-usgov.webex.com/v1");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the token [`tokens::token_from_env`](crate::tokens::token_from_env)
    /// finds (`WEBEX_ACCESS_TOKEN`, or the file `WEBEX_ACCESS_TOKEN_FILE`, perhaps
    /// encrypted) and `WEBEX_BASE_URL` (default the commercial API).
    ///
    /// ```no_run
    /// let client = webex_bot::Client::from_env().expect("WEBEX_ACCESS_TOKEN is set");
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        let found = crate::tokens::token_from_env().map_err(|e| Error::Config(e.to_string()))?;
        log::debug!("access token from {}", found.source);
        let mut b = Client::builder().token(found.token.expose());
        if let Ok(url) = std::env::var("WEBEX_BASE_URL")
            && !url.trim().is_empty()
        {
            b = b.base_url(url.trim());
        }
        b.build()
    }

    /// The base URL every path is joined to, without a trailing slash.
    ///
    /// ```
    /// let c = webex_bot::Client::builder().token("t").base_url("http://127.0.0.1:9/v1/").build().unwrap();
    /// assert_eq!(c.base_url(), "http://127.0.0.1:9/v1");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The people API (`/people`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let me = client.people().me()?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn people(&self) -> PeopleApi<'_> {
        PeopleApi { client: self }
    }

    /// The rooms API (`/rooms`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// for room in client.rooms().list(&Default::default()) {
    ///     println!("{:?}", room?.title);
    /// }
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn rooms(&self) -> RoomsApi<'_> {
        RoomsApi { client: self }
    }

    /// The memberships API (`/memberships`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewMembership;
    /// client.memberships().create(&NewMembership::by_email("room-id", "alice@example.com"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn memberships(&self) -> MembershipsApi<'_> {
        MembershipsApi { client: self }
    }

    /// The messages API (`/messages`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewMessage;
    /// client.messages().create(&NewMessage::to_room("room-id").text("hello"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn messages(&self) -> MessagesApi<'_> {
        MessagesApi { client: self }
    }

    /// The teams API (`/teams`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let team = client.teams().create(&webex_bot::models::NewTeam::new("Build"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn teams(&self) -> TeamsApi<'_> {
        TeamsApi { client: self }
    }

    /// The team memberships API (`/team/memberships`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::client::ListTeamMemberships;
    /// let n = client.team_memberships().list(&ListTeamMemberships::new("team-id")).count();
    /// ```
    pub fn team_memberships(&self) -> TeamMembershipsApi<'_> {
        TeamMembershipsApi { client: self }
    }

    /// The webhooks API (`/webhooks`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// for hook in client.webhooks().list(&Default::default()) {
    ///     println!("{}", hook?.target_url);
    /// }
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn webhooks(&self) -> WebhooksApi<'_> {
        WebhooksApi { client: self }
    }

    /// The attachment actions API (`/attachment/actions`): card submissions.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let action = client.attachment_actions().get("action-id")?;
    /// println!("{}", action.inputs);
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn attachment_actions(&self) -> AttachmentActionsApi<'_> {
        AttachmentActionsApi { client: self }
    }

    /// The events API (`/events`, compliance officers).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let recent: Vec<_> = client.events().list(&Default::default()).take(10).collect();
    /// ```
    pub fn events(&self) -> EventsApi<'_> {
        EventsApi { client: self }
    }

    /// The organizations API (`/organizations`, admins).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let orgs: Vec<_> = client.organizations().list(&Default::default()).collect();
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn organizations(&self) -> OrganizationsApi<'_> {
        OrganizationsApi { client: self }
    }

    /// The licenses API (`/licenses`, admins).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.licenses().list(&Default::default()).count();
    /// ```
    pub fn licenses(&self) -> LicensesApi<'_> {
        LicensesApi { client: self }
    }

    /// The roles API (`/roles`, admins).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let n = client.roles().list(&Default::default()).count();
    /// ```
    pub fn roles(&self) -> RolesApi<'_> {
        RolesApi { client: self }
    }

    /// The Applications API (`/applications`): register and manage bots.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("admin-token");
    /// use webex_bot::models::NewBotApplication;
    /// let bot = client.applications().create_bot(&NewBotApplication::new(
    ///     "Ops", "ops-bot@webex.bot", "Runs ops", "https://example.com/logo.png",
    /// ))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn applications(&self) -> ApplicationsApi<'_> {
        ApplicationsApi { client: self }
    }

    /// File contents (`/contents/...` URLs found in messages): info, download.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let info = client.files().info("https://webexapis.com/v1/contents/abc")?;
    /// println!("{} bytes", info.size.unwrap_or(0));
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn files(&self) -> FilesApi<'_> {
        FilesApi { client: self }
    }

    // ---- the request core -------------------------------------------------------------

    pub(crate) fn url(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        let mut url = String::with_capacity(self.inner.base_url.len() + 1 + path.len());
        url.push_str(&self.inner.base_url);
        url.push('/');
        url.push_str(path);
        url
    }

    /// Whether `url` is on the same scheme, host and port as the base URL: only such URLs
    /// are sent the access token.
    pub(crate) fn same_origin(&self, url: &str) -> bool {
        // Most requests are under the base URL: no need to parse them.
        self.under_base(url) || origin_of(url).is_some_and(|o| o == self.inner.origin)
    }

    /// Whether `url` is the base URL or a path under it (so its host is the base URL's).
    fn under_base(&self, url: &str) -> bool {
        url.strip_prefix(self.inner.base_url.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
    }

    pub(crate) fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<T, Error> {
        self.json(Method::GET, path, query, Body::Empty)
    }

    pub(crate) fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Body<'_>,
    ) -> Result<T, Error> {
        let url = with_query(self.url(path), query);
        let resp = self.execute(method.clone(), &url, body, &[])?;
        // The context names the call in a decoding error only: not formatted unless one
        // occurs.
        read_json(resp, || {
            format!("{method} /{}", path.trim_start_matches('/'))
        })
    }

    pub(crate) fn send_json_body<B: serde::Serialize + ?Sized>(body: &B) -> Body<'static> {
        Body::Json(serde_json::to_vec(body).expect("models always serialize"))
    }

    pub(crate) fn delete(&self, path: &str) -> Result<(), Error> {
        let resp = self.execute(Method::DELETE, &self.url(path), Body::Empty, &[])?;
        drain(resp);
        Ok(())
    }

    /// A JSON call to an absolute URL of another Webex service (U2C, WDM), sent the access
    /// token although it is not under the base URL: such URLs come only from the
    /// configured U2C catalog. `body` is JSON, or nothing.
    pub(crate) fn service_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Error> {
        let resp = self.service_call(method.clone(), url, body)?;
        read_json(resp, || format!("{method} {}", redact_query(url)))
    }

    /// As [`service_json`](Self::service_json), for answers without a body.
    pub(crate) fn service_empty(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(), Error> {
        drain(self.service_call(method, url, body)?);
        Ok(())
    }

    fn service_call(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let body = body.map_or(Body::Empty, Body::Json);
        if self.same_origin(url) {
            return self.execute(method, url, body, &[]);
        }
        let bearer = self.bearer(None)?;
        let auth = [("Authorization", bearer.expose())];
        self.execute(method, url, body, &auth)
    }

    /// `Bearer <token>`, for the websocket's authorization frame.
    pub(crate) fn authorization(&self) -> crate::Secret {
        match self.bearer(None) {
            Ok(Bearer::Owned(s)) => s,
            _ => self.inner.authorization.clone(),
        }
    }

    /// The `Authorization` header to send: the bot's token (borrowed, nothing copied on
    /// the hot path), or an integration's access token, refreshed when it expires or when
    /// `stale` is what a 401 answered.
    fn bearer(&self, stale: Option<&crate::Secret>) -> Result<Bearer<'_>, Error> {
        match &self.inner.refresher {
            None => Ok(Bearer::Static(&self.inner.authorization)),
            Some(r) => r.bearer(stale).map(Bearer::Owned),
        }
    }

    /// Sends a request under the retry policy. Non-2xx answers become [`Error::Api`].
    pub(crate) fn execute(
        &self,
        method: Method,
        url: &str,
        mut body: Body<'_>,
        headers: &[(&str, &str)],
    ) -> Result<http::Response<ureq::Body>, Error> {
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        );
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let bearer = self.bearer(None)?;
            let sent = self.send_once(&method, url, &mut body, headers, attempt, &bearer);
            // An integration's token refused: refreshed once, and the call made again.
            if let Ok(resp) = &sent
                && resp.status() == 401
                && !refreshed
                && let Bearer::Owned(used) = &bearer
                && body.replayable()
                && self.same_origin(url)
            {
                refreshed = true;
                self.bearer(Some(used))?;
                continue;
            }
            let (failure, error) = match sent {
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) => {
                    let e = api_error(resp);
                    let ra = e
                        .retry_after()
                        .map_or(RetryAfter::Missing, RetryAfter::Given);
                    (retry::classify(e.status(), ra), Error::Api(e))
                }
                Err(SendError::Transport(e)) => (Failure::Transport, Error::Transport(Box::new(e))),
                Err(SendError::Other(e)) => (Failure::Final, e),
            };
            let replayable = body.replayable();
            let wait = if replayable {
                self.inner
                    .retry
                    .next_wait(attempt, waited, failure, idempotent)
            } else {
                None
            };
            match wait {
                Some(wait) => {
                    log::warn!(
                        "{method} {}: {error}; retrying in {:.1}s (attempt {} of {})",
                        redact_query(url),
                        wait.as_secs_f64(),
                        attempt + 1,
                        self.inner.retry.attempts()
                    );
                    let until = Instant::now() + wait;
                    while let Some(left) = until.checked_duration_since(Instant::now()) {
                        std::thread::sleep(left);
                    }
                    waited += wait;
                }
                None => return Err(error),
            }
        }
    }

    fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: &mut Body<'_>,
        headers: &[(&str, &str)],
        attempt: u32,
        bearer: &Bearer<'_>,
    ) -> Result<http::Response<ureq::Body>, SendError> {
        use http::header::{
            ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderName, USER_AGENT,
        };
        use http::{HeaderValue, Request};
        let fixed = &self.inner.fixed;
        // The request made in place rather than by `http::request::Builder`, which moves
        // the whole request through a `Result` at each header. ureq adds `User-Agent`,
        // `Accept` and `Host` only when the request has none: the same values, made once.
        let mut req = Request::new(());
        *req.method_mut() = method.clone();
        *req.uri_mut() = url.parse().map_err(|e| bad_request(http::Error::from(e)))?;
        let h = req.headers_mut();
        h.reserve(7 + headers.len());
        h.insert(USER_AGENT, fixed.user_agent.clone());
        h.insert(ACCEPT, HeaderValue::from_static("*/*"));
        // Under the base URL is the same origin; other URLs are parsed only then.
        let under_base = self.under_base(url);
        if under_base {
            h.insert(HOST, fixed.host.clone());
        }
        if under_base || self.same_origin(url) {
            let authorization = match bearer {
                Bearer::Static(_) => fixed.authorization.clone(),
                Bearer::Owned(refreshed) => {
                    let mut v = HeaderValue::from_str(refreshed.expose())
                        .map_err(|e| bad_request(e.into()))?;
                    v.set_sensitive(true);
                    v
                }
            };
            h.insert(AUTHORIZATION, authorization);
        }
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| bad_request(e.into()))?;
            let mut value = HeaderValue::from_str(v).map_err(|e| bad_request(e.into()))?;
            value.set_sensitive(name == AUTHORIZATION);
            h.append(name, value);
        }
        let result = match body {
            Body::Empty => {
                if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
                    h.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
                }
                self.inner.agent.run(req)
            }
            Body::Json(bytes) => {
                h.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json;charset=utf-8"),
                );
                self.inner.agent.run(req.map(|()| bytes.as_slice()))
            }
            Body::Multipart(form) => {
                let content_type = HeaderValue::try_from(form.content_type())
                    .map_err(|e| bad_request(e.into()))?;
                h.insert(CONTENT_TYPE, content_type);
                if let Some(len) = form.content_length() {
                    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
                }
                let mut reader = form
                    .open(attempt)
                    .map_err(|e| SendError::Other(Error::Io(e)))?;
                self.inner
                    .agent
                    .run(req.map(|()| ureq::SendBody::from_reader(&mut reader)))
            }
        };
        result.map_err(|e| match e {
            ureq::Error::Io(io)
                if io.kind() != std::io::ErrorKind::TimedOut && !is_network(&io) =>
            {
                SendError::Other(Error::Io(io))
            }
            e => SendError::Transport(e),
        })
    }
}

fn is_network(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | BrokenPipe
            | UnexpectedEof
    )
}

fn bad_request(e: http::Error) -> SendError {
    SendError::Other(Error::Config(format!("invalid request: {e}")))
}

enum SendError {
    Transport(ureq::Error),
    Other(Error),
}

/// What a request carries.
pub(crate) enum Body<'a> {
    Empty,
    Json(Vec<u8>),
    Multipart(Multipart<'a>),
}

impl Body<'_> {
    fn replayable(&self) -> bool {
        match self {
            Body::Empty | Body::Json(_) => true,
            Body::Multipart(m) => m.replayable(),
        }
    }
}

/// `scheme://host:port` of a URL, with default ports made explicit.
fn origin_of(url: &str) -> Option<String> {
    crate::util::HttpUrl::parse(url).ok().map(|u| u.origin())
}

/// Appends query pairs to a URL.
pub(crate) fn with_query(url: String, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return url;
    }
    let mut s = url;
    s.push(if s.contains('?') { '&' } else { '?' });
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        ser.append_pair(k, v);
    }
    s.push_str(&ser.finish());
    s
}

/// The URL without its query, for logs (queries may hold emails).
fn redact_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
