//! OAuth 2 for integrations (apps that act for a Webex user, unlike bots): the
//! authorization URL with a random `state`, the check of `state` on return, the exchange of
//! the code for tokens, and refreshing them.
//!
//! ```
//! use webex_bot::oauth::Integration;
//! let app = Integration::new("client-id", webex_bot::Secret::new("client-secret"), "http://127.0.0.1:8765/callback");
//! let auth = app.authorization(&["spark:messages_write", "spark:rooms_read"]);
//! assert!(auth.url().starts_with("https://webexapis.com/v1/authorize?client_id=client-id&response_type=code"));
//! // Send the user to auth.url(); Webex redirects back with ?code=...&state=...;
//! // then: let tokens = app.exchange(&auth, returned_state, code)?;
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::Secret;

mod loopback;

/// An integration's credentials, from the developer portal.
#[derive(Debug, Clone)]
pub struct Integration {
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    base_url: String,
}

/// One authorization request: where to send the user, and the `state` to expect back.
///
/// ```
/// # use webex_bot::oauth::Integration;
/// # let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb");
/// let a = app.authorization(&["spark:all"]);
/// let b = app.authorization(&["spark:all"]);
/// assert_ne!(a.url(), b.url(), "a new random state each time");
/// ```
#[derive(Debug, Clone)]
pub struct Authorization {
    url: String,
    state: Secret,
}

impl Authorization {
    /// The URL to open in the user's browser.
    ///
    /// ```
    /// # use webex_bot::oauth::Integration;
    /// # let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb");
    /// assert!(app.authorization(&["spark:all"]).url().contains("scope=spark%3Aall"));
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Tokens from the token endpoint.
///
/// ```
/// use webex_bot::oauth::Tokens;
/// use std::time::{Duration, SystemTime};
/// let t = Tokens {
///     access_token: webex_bot::Secret::new("a"),
///     refresh_token: webex_bot::Secret::new("r"),
///     expires_at: SystemTime::now() + Duration::from_secs(60),
///     refresh_expires_at: None,
/// };
/// assert!(t.expires_within(Duration::from_secs(120)));
/// assert!(!format!("{t:?}").contains("\"a\""));
/// ```
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Sent as `Authorization: Bearer ...`.
    pub access_token: Secret,
    /// Exchanged for new access tokens.
    pub refresh_token: Secret,
    /// When the access token stops working.
    pub expires_at: SystemTime,
    /// When the refresh token does, if Webex said.
    pub refresh_expires_at: Option<SystemTime>,
}

impl Tokens {
    /// Whether the access token expires within `margin` from now (or already did).
    ///
    /// ```
    /// # use webex_bot::oauth::Tokens;
    /// # use std::time::{Duration, SystemTime};
    /// # let t = Tokens { access_token: webex_bot::Secret::new("a"), refresh_token: webex_bot::Secret::new("r"), expires_at: SystemTime::now(), refresh_expires_at: None };
    /// assert!(t.expires_within(Duration::ZERO));
    /// ```
    pub fn expires_within(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires_at
    }
}

/// Why an OAuth step failed.
///
/// ```
/// use webex_bot::oauth::OAuthError;
/// assert!(OAuthError::StateMismatch.to_string().contains("state"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum OAuthError {
    /// The `state` that came back is not the one sent: the redirect was not ours.
    StateMismatch,
    /// The token endpoint refused: `error` is OAuth's code (`invalid_grant` for a revoked or
    /// expired refresh token, `invalid_client` for a wrong secret).
    Refused {
        /// The HTTP status.
        status: u16,
        /// OAuth's error code.
        error: String,
        /// What Webex said.
        description: String,
    },
    /// No answer, or one that is not the token endpoint's.
    Transport(String),
    /// The user declined (or Webex refused) the authorization: the redirect carried
    /// `error` (`access_denied`, ...) instead of a code.
    Denied {
        /// OAuth's error code.
        error: String,
        /// What came with it.
        description: String,
    },
    /// No redirect came back in the time given.
    Timeout,
    /// The redirect could not be taken: a redirect URI that is not on this machine, or a
    /// port that cannot be listened on.
    Redirect(String),
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::StateMismatch => f.write_str(
                "the state returned with the authorization code is not the one sent: refusing it (start the authorization again)",
            ),
            OAuthError::Refused {
                status,
                error,
                description,
            } if error == "invalid_grant" => write!(
                f,
                "Webex refused the grant ({status}): {description}; the user must authorize the integration again"
            ),
            OAuthError::Refused {
                status,
                error,
                description,
            } => write!(f, "the token endpoint refused ({status} {error}): {description}"),
            OAuthError::Transport(e) => write!(f, "could not reach the token endpoint: {e}"),
            OAuthError::Denied { error, description } if description.is_empty() => {
                write!(f, "the authorization was not given ({error})")
            }
            OAuthError::Denied { error, description } => {
                write!(f, "the authorization was not given ({error}): {description}")
            }
            OAuthError::Timeout => f.write_str(
                "no redirect came back from the browser in time: open the address again, sooner",
            ),
            OAuthError::Redirect(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for OAuthError {}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
    refresh_token: String,
    #[serde(default)]
    refresh_token_expires_in: Option<u64>,
}

#[derive(Deserialize, Default)]
struct ErrorAnswer {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl Integration {
    /// An integration with its client id, secret and redirect URI, against the commercial
    /// Webex API.
    ///
    /// ```
    /// let app = webex_bot::oauth::Integration::new("id", webex_bot::Secret::new("secret"), "https://app.example/cb");
    /// assert!(!format!("{app:?}").contains("\"secret\""));
    /// ```
    pub fn new(
        client_id: impl Into<String>,
        client_secret: Secret,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Integration {
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            base_url: crate::client::COMMERCIAL_BASE_URL.into(),
        }
    }

    /// The API whose `/authorize` and `/access_token` to use (the emulator's, FedRAMP's).
    ///
    /// ```
    /// # use webex_bot::oauth::Integration;
    /// let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb").base_url("http://127.0.0.1:8900/v1");
    /// assert!(app.authorization(&["spark:all"]).url().starts_with("http://127.0.0.1:8900/v1/authorize?"));
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// A new authorization request for `scopes`, with a fresh random `state`.
    ///
    /// ```
    /// # use webex_bot::oauth::Integration;
    /// # let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb");
    /// assert!(app.authorization(&["spark:all"]).url().contains("&state="));
    /// ```
    pub fn authorization(&self, scopes: &[&str]) -> Authorization {
        let state = Secret::random();
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", state.expose())
            .finish();
        Authorization {
            url: format!("{}/authorize?{query}", self.base_url),
            state,
        }
    }

    /// Checks the `state` that came back with `code` (in constant time), then exchanges the
    /// code for tokens.
    ///
    /// ```no_run
    /// # use webex_bot::oauth::Integration;
    /// # let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb");
    /// let auth = app.authorization(&["spark:all"]);
    /// let tokens = app.exchange(&auth, "the state from the redirect", "the code")?;
    /// # Ok::<(), webex_bot::oauth::OAuthError>(())
    /// ```
    pub fn exchange(
        &self,
        auth: &Authorization,
        state: &str,
        code: &str,
    ) -> Result<Tokens, OAuthError> {
        if Secret::new(state) != auth.state {
            return Err(OAuthError::StateMismatch);
        }
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
        ])
    }

    /// New tokens for a refresh token. A revoked or expired one is
    /// [`OAuthError::Refused`] with `invalid_grant`.
    ///
    /// ```no_run
    /// # use webex_bot::oauth::Integration;
    /// # let app = Integration::new("c", webex_bot::Secret::new("s"), "http://127.0.0.1:1/cb");
    /// let tokens = app.refresh(&webex_bot::Secret::new("the refresh token"))?;
    /// # Ok::<(), webex_bot::oauth::OAuthError>(())
    /// ```
    pub fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, OAuthError> {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ])
    }

    fn token_request(&self, fields: &[(&str, &str)]) -> Result<Tokens, OAuthError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
        ];
        form.extend_from_slice(fields);
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build(),
        );
        let url = format!("{}/access_token", self.base_url);
        let mut resp = agent
            .post(&url)
            .send_form(form)
            .map_err(|e| OAuthError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec()
            .map_err(|e| OAuthError::Transport(e.to_string()))?;
        if !(200..300).contains(&status) {
            let e: ErrorAnswer = serde_json::from_slice(&body).unwrap_or_default();
            return Err(OAuthError::Refused {
                status,
                error: e.error.unwrap_or_else(|| "unknown".into()),
                description: e
                    .error_description
                    .or(e.message)
                    .unwrap_or_else(|| format!("status {status}")),
            });
        }
        let t: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| OAuthError::Transport(format!("unexpected answer: {e}")))?;
        let now = SystemTime::now();
        Ok(Tokens {
            access_token: Secret::new(t.access_token),
            refresh_token: Secret::new(t.refresh_token),
            expires_at: now + Duration::from_secs(t.expires_in),
            refresh_expires_at: t
                .refresh_token_expires_in
                .map(|s| now + Duration::from_secs(s)),
        })
    }
}
