//! The headers the client sends with every request, and the `Authorization` of one.

use ureq::http;

use super::Error;

/// The headers of every request, made when the client is built.
pub(super) struct FixedHeaders {
    /// `Bearer <token>` of the bot's own token, marked sensitive (`Debug` hides it). Unlike
    /// the client's [`Secret`](crate::Secret) it is not wiped when dropped (the `http`
    /// crate's bytes cannot be): one such copy for the client's life, where building the
    /// header for each request left one in freed memory per request.
    pub(super) authorization: http::HeaderValue,
    pub(super) user_agent: http::HeaderValue,
}

impl FixedHeaders {
    pub(super) fn new(
        authorization: &crate::Secret,
        user_agent: &str,
    ) -> Result<FixedHeaders, Error> {
        // The token was checked for spaces and control characters: it makes a header.
        let mut authorization = http::HeaderValue::from_str(authorization.expose())
            .map_err(|_| Error::Config("the access token cannot be sent in a header".into()))?;
        authorization.set_sensitive(true);
        let user_agent = http::HeaderValue::from_str(user_agent).map_err(|_| {
            Error::Config(format!(
                "the user agent {user_agent:?} has characters a header cannot carry"
            ))
        })?;
        Ok(FixedHeaders {
            authorization,
            user_agent,
        })
    }
}

/// The `Authorization` header of one request.
pub(super) enum Bearer<'a> {
    Static(&'a crate::Secret),
    Owned(crate::Secret),
}

impl Bearer<'_> {
    pub(super) fn expose(&self) -> &str {
        match self {
            Bearer::Static(s) => s.expose(),
            Bearer::Owned(s) => s.expose(),
        }
    }
}
