//! Reading `multipart/form-data` bodies (file uploads).

#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pub fields: Vec<(String, String)>,
    pub file: Option<FilePart>,
}

#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Form {
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// Parses a body given the `Content-Type` header; `Err` says what is wrong.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Form, String> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or("multipart body without a boundary")?;
    let delim = format!("--{boundary}").into_bytes();
    let mut form = Form::default();
    let mut pos = find(body, &delim, 0).ok_or("multipart body without its boundary")? + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        pos += 2; // CRLF after the boundary
        let head_end = find(body, b"\r\n\r\n", pos).ok_or("multipart part without headers")?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let data_start = head_end + 4;
        let next = find(body, &[b"\r\n".as_slice(), &delim].concat(), data_start)
            .ok_or("multipart part without an end")?;
        let data = &body[data_start..next];
        let mut name = None;
        let mut file_name = None;
        let mut ctype = "application/octet-stream".to_owned();
        for line in head.lines() {
            let (k, v) = line.split_once(':').unwrap_or((line, ""));
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for p in v.split(';').map(str::trim) {
                    if let Some(n) = p.strip_prefix("name=") {
                        name = Some(n.trim_matches('"').to_owned());
                    } else if let Some(f) = p.strip_prefix("filename=") {
                        file_name = Some(f.trim_matches('"').to_owned());
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                ctype = v.trim().to_owned();
            }
        }
        let name = name.ok_or("multipart part without a name")?;
        match file_name {
            Some(f) => {
                if form.file.is_some() {
                    return Err("only one file per message".into());
                }
                form.file = Some(FilePart {
                    file_name: f,
                    content_type: ctype,
                    bytes: data.to_vec(),
                });
            }
            None => form
                .fields
                .push((name, String::from_utf8_lossy(data).into_owned())),
        }
        pos = next + 2 + delim.len();
        if pos > body.len() {
            return Err("truncated multipart body".into());
        }
    }
    Ok(form)
}
