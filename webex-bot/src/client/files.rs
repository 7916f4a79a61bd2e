use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ureq::http::{self, Method};

use super::{Body, Client, Error};

/// A file to upload, read from disk or from any reader as it is sent.
///
/// ```
/// use webex_bot::client::Upload;
/// let from_memory = Upload::reader("notes.txt", &b"some notes"[..]);
/// assert_eq!(from_memory.content_type(), "text/plain");
/// let custom = Upload::reader("data", std::io::empty()).with_content_type("application/x-thing");
/// assert_eq!(custom.content_type(), "application/x-thing");
/// ```
pub struct Upload<'a> {
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) source: Source<'a>,
}

pub(crate) enum Source<'a> {
    Path { path: PathBuf, len: u64 },
    Reader(Box<dyn Read + 'a>),
}

impl std::fmt::Debug for Upload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.known_len())
            .finish()
    }
}

impl<'a> Upload<'a> {
    /// The file at `path`; its name and type come from the path. The file is opened again
    /// if the upload has to be retried after a 429.
    ///
    /// ```no_run
    /// let upload = webex_bot::client::Upload::path("report.pdf")?;
    /// assert_eq!(upload.content_type(), "application/pdf");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(path: impl AsRef<Path>) -> std::io::Result<Upload<'static>> {
        let path = path.as_ref();
        let len = std::fs::metadata(path)?.len();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_owned());
        Ok(Upload {
            content_type: guess_type(&file_name),
            file_name,
            source: Source::Path {
                path: path.to_owned(),
                len,
            },
        })
    }

    /// Bytes read from `reader`, named `file_name` (its extension gives the type). Such an
    /// upload is sent once: it is not retried.
    ///
    /// ```
    /// let upload = webex_bot::client::Upload::reader("chart.png", std::io::empty());
    /// assert_eq!(upload.content_type(), "image/png");
    /// ```
    pub fn reader(file_name: impl Into<String>, reader: impl Read + 'a) -> Upload<'a> {
        let file_name = file_name.into();
        Upload {
            content_type: guess_type(&file_name),
            file_name,
            source: Source::Reader(Box::new(reader)),
        }
    }

    /// Overrides the content type guessed from the name.
    ///
    /// ```
    /// let u = webex_bot::client::Upload::reader("x", std::io::empty()).with_content_type("text/csv");
    /// assert_eq!(u.content_type(), "text/csv");
    /// ```
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent.
    ///
    /// ```
    /// assert_eq!(webex_bot::client::Upload::reader("a.txt", std::io::empty()).file_name(), "a.txt");
    /// ```
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type sent (guessed from the name, `text/plain` when unknown, as Webex's
    /// SDKs do).
    ///
    /// ```
    /// assert_eq!(webex_bot::client::Upload::reader("a", std::io::empty()).content_type(), "text/plain");
    /// ```
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    pub(crate) fn known_len(&self) -> Option<u64> {
        match &self.source {
            Source::Path { len, .. } => Some(*len),
            Source::Reader(_) => None,
        }
    }
}

fn guess_type(name: &str) -> String {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("text/plain")
        .to_owned()
}

/// What `HEAD` on a content URL tells about a file.
///
/// ```
/// use webex_bot::client::FileInfo;
/// let info = FileInfo::default();
/// assert!(info.name.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileInfo {
    /// The file name, from `Content-Disposition`.
    pub name: Option<String>,
    /// The content type.
    pub content_type: Option<String>,
    /// The size in bytes.
    pub size: Option<u64>,
}

impl FileInfo {
    fn from_headers(headers: &http::HeaderMap) -> FileInfo {
        let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        FileInfo {
            name: get("content-disposition").and_then(disposition_file_name),
            content_type: get("content-type").map(str::to_owned),
            size: get("content-length").and_then(|v| v.trim().parse().ok()),
        }
    }
}

/// The `filename` of a `Content-Disposition` header (`filename*=UTF-8''...` preferred).
pub(crate) fn disposition_file_name(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let encoded = v.split("''").nth(1).unwrap_or(v);
            return crate::util::percent_decode(encoded);
        }
        if let Some(v) = part.strip_prefix("filename=") {
            plain = Some(v.trim_matches('"').to_owned());
        }
    }
    plain
}

/// File contents: the `files` URLs of messages.
///
/// ```no_run
/// # let client = webex_bot::Client::new("t");
/// let message = client.messages().get("message-id")?;
/// for url in &message.files {
///     let mut out = std::fs::File::create("download.bin")?;
///     let info = client.files().download(url, &mut out)?;
///     println!("saved {:?}", info.name);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FilesApi<'c> {
    pub(crate) client: &'c Client,
}

impl FilesApi<'_> {
    /// Name, type and size of the file, without downloading it (`HEAD`).
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let info = client.files().info("https://webexapis.com/v1/contents/abc")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn info(&self, url: &str) -> Result<FileInfo, Error> {
        let resp = self.client.execute(Method::HEAD, url, Body::Empty, &[])?;
        Ok(FileInfo::from_headers(resp.headers()))
    }

    /// Streams the file into `out` and returns what the headers said. The bytes pass
    /// through a small buffer: a 100 MB file is never held in memory.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut bytes = Vec::new();
    /// client.files().download("https://webexapis.com/v1/contents/abc", &mut bytes)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn download(&self, url: &str, out: &mut impl Write) -> Result<FileInfo, Error> {
        let mut resp = self.client.execute(Method::GET, url, Body::Empty, &[])?;
        let info = FileInfo::from_headers(resp.headers());
        let mut reader = resp.body_mut().as_reader();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            out.write_all(&buf[..n])?;
        }
        out.flush()?;
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names() {
        assert_eq!(
            disposition_file_name(r#"attachment; filename="a b.pdf""#).as_deref(),
            Some("a b.pdf")
        );
        assert_eq!(
            disposition_file_name("attachment; filename=x.txt").as_deref(),
            Some("x.txt")
        );
        assert_eq!(
            disposition_file_name(
                r#"attachment; filename="fallback"; filename*=UTF-8''%C3%A9t%C3%A9.txt"#
            )
            .as_deref(),
            Some("été.txt")
        );
        assert_eq!(disposition_file_name("inline"), None);
    }
}
