//! A client built from an integration's tokens: the access token is refreshed before it
//! expires, and once more when Webex answers 401, and the new tokens are handed to the
//! application to keep.

use std::sync::Mutex;
use std::time::Duration;

use super::Error;
use crate::Secret;
use crate::oauth::{Integration, Tokens};

/// How long before its expiry an access token is refreshed.
pub(crate) const MARGIN: Duration = Duration::from_secs(60);

/// Called with each new set of tokens.
pub(crate) type OnRefresh = std::sync::Arc<dyn Fn(&Tokens) + Send + Sync>;

pub(crate) struct Refresher {
    pub integration: Integration,
    pub tokens: Mutex<Tokens>,
    pub on_refresh: OnRefresh,
}

impl Refresher {
    /// `Bearer <access token>`, refreshed first when it expires within the margin or when
    /// `stale` names the header a 401 answered (unless another thread refreshed since).
    pub(crate) fn bearer(&self, stale: Option<&Secret>) -> Result<Secret, Error> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let current = Secret::new(format!("Bearer {}", tokens.access_token.expose()));
        let refused = stale.is_some_and(|s| *s == current);
        if !refused && !tokens.expires_within(MARGIN) {
            return Ok(current);
        }
        let fresh = self
            .integration
            .refresh(&tokens.refresh_token)
            .map_err(|e| {
                Error::Config(format!("refreshing the integration's access token: {e}"))
            })?;
        log::info!("integration access token refreshed");
        *tokens = fresh;
        (self.on_refresh)(&tokens);
        Ok(Secret::new(format!(
            "Bearer {}",
            tokens.access_token.expose()
        )))
    }
}
