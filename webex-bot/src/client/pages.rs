use std::collections::VecDeque;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use ureq::http::Method;

use super::{Body, Client, Error, read_json, with_query};
use crate::models::Items;

/// A lazy iterator over a Webex list: it fetches the first page on the first call to
/// `next`, and each following page only when the previous one is used up, by following
/// the `Link: <...>; rel="next"` header.
///
/// Filters the next link dropped are added back (Webex has been seen to drop
/// `mentionedPeople` and `max`), and a next link to another host than the base URL is
/// refused, so the token is never sent elsewhere. An error ends the iteration.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// use webex_bot::client::ListRooms;
/// // At most 250 rooms, fetched 100 per page.
/// let rooms: Result<Vec<_>, _> = client.rooms().list(&ListRooms::default()).limit(250).collect();
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
pub struct Pages<'c, T> {
    client: &'c Client,
    next: Option<String>,
    filters: Vec<(String, String)>,
    context: String,
    buffer: VecDeque<T>,
    remaining: Option<usize>,
    pages_fetched: usize,
    _t: PhantomData<fn() -> T>,
}

impl<'c, T: DeserializeOwned> Pages<'c, T> {
    pub(crate) fn new(client: &'c Client, path: &str, filters: Vec<(String, String)>) -> Self {
        Pages {
            client,
            next: Some(with_query(client.url(path), &filters)),
            context: format!("GET /{}", path.trim_start_matches('/')),
            filters,
            buffer: VecDeque::new(),
            remaining: None,
            pages_fetched: 0,
            _t: PhantomData,
        }
    }

    /// Yields at most `n` items, and asks for no bigger page than needed.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let first_five: Vec<_> = client.rooms().list(&Default::default()).limit(5).collect();
    /// ```
    pub fn limit(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        if self.pages_fetched == 0 {
            let max = self
                .filters
                .iter()
                .find(|(k, _)| k == "max")
                .and_then(|(_, v)| v.parse::<usize>().ok());
            if max.is_none_or(|m| m > n) && n > 0 {
                self.filters.retain(|(k, _)| k != "max");
                self.filters.push(("max".into(), n.to_string()));
                let base = self.next.as_deref().unwrap_or_default();
                let base = base.split('?').next().unwrap_or_default().to_owned();
                self.next = Some(with_query(base, &self.filters));
            }
        }
        self
    }

    /// How many pages were fetched so far.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut rooms = client.rooms().list(&Default::default());
    /// rooms.next();
    /// assert_eq!(rooms.pages_fetched(), 1);
    /// ```
    pub fn pages_fetched(&self) -> usize {
        self.pages_fetched
    }

    fn fetch(&mut self, url: String) -> Result<(), Error> {
        if !self.client.same_origin(&url) {
            return Err(Error::Config(format!(
                "refusing to follow a next-page link to another host than {}",
                self.client.base_url()
            )));
        }
        let url = self.restore_filters(&url);
        let resp = self.client.execute(Method::GET, &url, Body::Empty, &[])?;
        self.next = resp
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_link);
        let page: Items<T> = read_json(resp, || self.context.clone())?;
        self.pages_fetched += 1;
        self.buffer.extend(page.items);
        Ok(())
    }

    /// Adds back the original filters a next link dropped (and drops a stray `max=null`).
    fn restore_filters(&self, link: &str) -> String {
        let (base, query) = link.split_once('?').unwrap_or((link, ""));
        let pairs = || form_urlencoded::parse(query.as_bytes());
        let present: Vec<(String, String)> = pairs()
            .filter(|(k, v)| !(k == "max" && v == "null"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let missing: Vec<&(String, String)> = self
            .filters
            .iter()
            .filter(|(k, _)| !present.iter().any(|(pk, _)| pk == k))
            .collect();
        if missing.is_empty() && present.len() == pairs().count() {
            return link.to_owned();
        }
        let pairs: Vec<(String, String)> = present
            .into_iter()
            .chain(missing.into_iter().cloned())
            .collect();
        with_query(base.to_owned(), &pairs)
    }
}

impl<T: DeserializeOwned> Iterator for Pages<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == Some(0) {
            return None;
        }
        while self.buffer.is_empty() {
            let url = self.next.take()?;
            if let Err(e) = self.fetch(url) {
                self.next = None;
                return Some(Err(e));
            }
        }
        if let Some(r) = &mut self.remaining {
            *r -= 1;
        }
        self.buffer.pop_front().map(Ok)
    }
}

impl<T> std::fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("context", &self.context)
            .field("pages_fetched", &self.pages_fetched)
            .field("buffered", &self.buffer.len())
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// The `rel="next"` target of one `Link` header value (RFC 8288).
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.strip_prefix("rel=")
                .map(|v| {
                    v.trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
                })
                .unwrap_or(false)
        });
        is_next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        assert_eq!(
            next_link(r#"<https://webexapis.com/v1/people?max=10&cursor=Y2l>; rel="next""#)
                .as_deref(),
            Some("https://webexapis.com/v1/people?max=10&cursor=Y2l")
        );
        assert_eq!(
            next_link(r#"<https://a/1>; rel="first", <https://a/3>; rel="next""#).as_deref(),
            Some("https://a/3")
        );
        assert_eq!(next_link(r#"<https://a/1>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
        assert_eq!(
            next_link(r#"<https://a/2>; rel=next"#).as_deref(),
            Some("https://a/2")
        );
    }

    #[test]
    fn dropped_filters_are_restored() {
        let client = Client::builder()
            .token("t")
            .base_url("http://127.0.0.1:1/v1")
            .build()
            .unwrap();
        let filters = vec![
            ("roomId".to_owned(), "r1".to_owned()),
            ("mentionedPeople".to_owned(), "me".to_owned()),
            ("max".to_owned(), "2".to_owned()),
        ];
        let pages: Pages<'_, serde_json::Value> = Pages::new(&client, "messages", filters);
        let fixed =
            pages.restore_filters("http://127.0.0.1:1/v1/messages?roomId=r1&max=null&cursor=abc");
        assert_eq!(
            fixed,
            "http://127.0.0.1:1/v1/messages?roomId=r1&cursor=abc&mentionedPeople=me&max=2"
        );
        let untouched =
            "http://127.0.0.1:1/v1/messages?roomId=r1&mentionedPeople=me&max=2&cursor=x";
        assert_eq!(pages.restore_filters(untouched), untouched);
    }
}
