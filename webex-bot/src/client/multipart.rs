//! A streaming `multipart/form-data` encoder: text fields, then at most one file part whose
//! bytes are read from a file or a reader as they are sent, never held in memory.

use std::io::{self, Cursor, Read};

use super::files::{Source, Upload};

pub(crate) struct Multipart<'a> {
    boundary: String,
    fields: Vec<(&'static str, String)>,
    file: Option<(&'static str, Upload<'a>)>,
}

impl<'a> Multipart<'a> {
    pub(crate) fn new() -> Self {
        Multipart {
            boundary: format!("webex-bot-{}", crate::util::random_hex(12)),
            fields: Vec::new(),
            file: None,
        }
    }

    pub(crate) fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    pub(crate) fn file(mut self, name: &'static str, upload: Upload<'a>) -> Self {
        self.file = Some((name, upload));
        self
    }

    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    fn head(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in &self.fields {
            out.extend_from_slice(
                format!(
                    "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n",
                    self.boundary
                )
                .as_bytes(),
            );
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if let Some((name, upload)) = &self.file {
            out.extend_from_slice(
                format!(
                    "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    self.boundary,
                    escape_quoted(upload.file_name()),
                    upload.content_type()
                )
                .as_bytes(),
            );
        }
        out
    }

    fn tail(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.file.is_some() {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        out
    }

    /// The body length, when the file's size is known beforehand.
    pub(crate) fn content_length(&self) -> Option<u64> {
        let file = match &self.file {
            None => 0,
            Some((_, u)) => u.known_len()?,
        };
        Some(self.head().len() as u64 + file + self.tail().len() as u64)
    }

    /// Whether the body can be produced again for a retry.
    pub(crate) fn replayable(&self) -> bool {
        self.file
            .as_ref()
            .is_none_or(|(_, u)| matches!(u.source, Source::Path { .. }))
    }

    /// A reader over the whole body for send number `attempt`.
    pub(crate) fn open(&mut self, attempt: u32) -> io::Result<Box<dyn Read + '_>> {
        let head = Cursor::new(self.head());
        let tail = Cursor::new(self.tail());
        let middle: Box<dyn Read + '_> = match self.file.as_mut().map(|(_, u)| &mut u.source) {
            None => Box::new(io::empty()),
            Some(Source::Path { path, .. }) => Box::new(std::fs::File::open(path)?),
            Some(Source::Reader(r)) if attempt == 1 => Box::new(r),
            Some(Source::Reader(_)) => {
                return Err(io::Error::other("a reader upload cannot be sent twice"));
            }
        };
        Ok(Box::new(head.chain(middle).chain(tail)))
    }
}

fn escape_quoted(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "%22".to_owned(),
            '\r' | '\n' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_fields_then_file_and_a_known_length() {
        let data: &[u8] = b"hello file";
        let mut m = Multipart::new()
            .text("roomId", "r1")
            .file("files", Upload::reader("a \"b\".txt", data));
        m.boundary = "B".into();
        let len = m.content_length();
        assert_eq!(len, None, "a reader's length is unknown");
        let mut body = String::new();
        m.open(1).unwrap().read_to_string(&mut body).unwrap();
        assert_eq!(
            body,
            "--B\r\nContent-Disposition: form-data; name=\"roomId\"\r\n\r\nr1\r\n\
             --B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a %22b%22.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nhello file\r\n--B--\r\n"
        );
        assert!(!m.replayable());
        assert!(m.open(2).is_err());
    }

    #[test]
    fn path_uploads_know_their_length_and_replay() {
        let dir = std::env::temp_dir().join(format!("webex-bot-mp-{}", crate::util::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.pdf");
        std::fs::write(&path, vec![7u8; 1000]).unwrap();
        let mut m = Multipart::new()
            .text("text", "see")
            .file("files", Upload::path(&path).unwrap());
        let len = m.content_length().unwrap();
        for attempt in 1..=2 {
            let mut body = Vec::new();
            m.open(attempt).unwrap().read_to_end(&mut body).unwrap();
            assert_eq!(body.len() as u64, len);
            assert!(String::from_utf8_lossy(&body).contains("Content-Type: application/pdf"));
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
