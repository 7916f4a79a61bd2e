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
    /// `Host` of a request under the base URL, as ureq would make it (the port only when
    /// it is not the scheme's), made once rather than formatted for each request.
    pub(super) host: http::HeaderValue,
}

impl FixedHeaders {
    pub(super) fn new(
        authorization: &crate::Secret,
        user_agent: &str,
        base_url: &str,
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
        let host = host_of(base_url).ok_or_else(|| {
            Error::Config(format!(
                "the base URL {base_url:?} has no host a header can carry"
            ))
        })?;
        Ok(FixedHeaders {
            authorization,
            user_agent,
            host,
        })
    }
}

/// The `Host` header of a request to `url`: its host, and its port when that is not the
/// scheme's default.
fn host_of(url: &str) -> Option<http::HeaderValue> {
    let uri: http::Uri = url.parse().ok()?;
    let host = uri.host().filter(|h| !h.is_empty())?;
    let default = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    let value = match uri.port_u16() {
        Some(port) if port != default => http::HeaderValue::try_from(format!("{host}:{port}")),
        _ => http::HeaderValue::from_str(host),
    };
    value.ok()
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

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn the_host_header_names_the_port_only_when_it_is_not_the_schemes() {
        let host = |url: &str| host_of(url).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            host("https://webexapis.com/v1").as_deref(),
            Some("webexapis.com")
        );
        assert_eq!(
            host("https://webexapis.com:443/v1").as_deref(),
            Some("webexapis.com")
        );
        assert_eq!(
            host("https://webexapis.com:8443/v1").as_deref(),
            Some("webexapis.com:8443")
        );
        assert_eq!(host("http://127.0.0.1:80").as_deref(), Some("127.0.0.1"));
        assert_eq!(
            host("http://127.0.0.1:8080/v1").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(host("http://[::1]:9000/v1").as_deref(), Some("[::1]:9000"));
        assert_eq!(host("/v1"), None);
    }
}
