//! Reading Webex's answers: a JSON body into a model, an error answer into an
//! [`ApiError`], the rest of a body drained so that its connection goes back to the pool.

use std::io::Read;

use serde::de::DeserializeOwned;
use ureq::http;

use super::retry::RetryAfter;
use super::{ApiError, Error};

/// The largest JSON answer read (a page of 1,000 rooms is well under 1 MiB).
const MAX_JSON_BODY: u64 = 32 * 1024 * 1024;

/// Reads an error answer into an [`ApiError`].
pub(super) fn api_error(mut resp: http::Response<ureq::Body>) -> ApiError {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let tracking = header("trackingid");
    let retry_after = RetryAfter::parse(header("retry-after").as_deref()).duration();
    let mut body = Vec::new();
    let _ = resp
        .body_mut()
        .as_reader()
        .take(64 * 1024)
        .read_to_end(&mut body);
    ApiError::from_parts(status, &body, tracking, retry_after)
}

/// The most [`read_json`] reserves up front for the `Content-Length` a server announces.
const PRESIZE_LIMIT: u64 = 64 * 1024;

pub(crate) fn read_json<T: DeserializeOwned>(
    mut resp: http::Response<ureq::Body>,
    context: impl FnOnce() -> String,
) -> Result<T, Error> {
    // Room for the length announced (up to a bound, whatever a server claims): read in
    // one piece rather than grown from nothing.
    let announced = resp.body().content_length().unwrap_or(0);
    let mut bytes = Vec::with_capacity(announced.min(PRESIZE_LIMIT) as usize);
    resp.body_mut()
        .as_reader()
        .take(MAX_JSON_BODY)
        .read_to_end(&mut bytes)
        .map_err(Error::Io)?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
        context: context(),
        source: Box::new(source),
    })
}

pub(super) fn drain(mut resp: http::Response<ureq::Body>) {
    let _ = std::io::copy(&mut resp.body_mut().as_reader(), &mut std::io::sink());
}
