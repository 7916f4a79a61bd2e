//! Markdown as the emulator renders it: enough of Webex's rendering for bots and tests
//! (mentions, bold, italic, code, links, paragraphs), with HTML escaped.

/// A mention found in markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MentionRef {
    PersonId(String, Option<String>),
    PersonEmail(String, Option<String>),
    All,
}

/// Splits markdown into text and mention pieces (`<@personId:ID|Name>`,
/// `<@personEmail:EMAIL|Name>`, `<@all>`). Backslash-escaped `<` is not a mention.
pub(crate) fn mentions(markdown: &str) -> Vec<(std::ops::Range<usize>, MentionRef)> {
    let mut out = Vec::new();
    let bytes = markdown.as_bytes();
    let mut i = 0;
    while let Some(off) = markdown[i..].find("<@") {
        let start = i + off;
        if start > 0 && bytes[start - 1] == b'\\' {
            i = start + 2;
            continue;
        }
        let Some(len) = markdown[start..].find('>') else {
            break;
        };
        let inner = &markdown[start + 2..start + len];
        let end = start + len + 1;
        let (who, name) = match inner.split_once('|') {
            Some((w, n)) => (w, Some(n.to_owned()).filter(|n| !n.is_empty())),
            None => (inner, None),
        };
        let m = if who == "all" {
            Some(MentionRef::All)
        } else if let Some(id) = who.strip_prefix("personId:") {
            Some(MentionRef::PersonId(id.to_owned(), name))
        } else {
            who.strip_prefix("personEmail:")
                .map(|e| MentionRef::PersonEmail(e.to_owned(), name))
        };
        if let Some(m) = m {
            out.push((start..end, m));
        }
        i = end;
    }
    out
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline markdown (after mentions were replaced by placeholders) to HTML.
fn inline(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let (mut bold, mut italic) = (false, false);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                out.push_str(&escape_html(&chars[i + 1].to_string()));
                i += 2;
                continue;
            }
            '`' => {
                if let Some(close) = chars[i + 1..].iter().position(|&x| x == '`') {
                    let code: String = chars[i + 1..i + 1 + close].iter().collect();
                    out.push_str(&format!("<code>{}</code>", escape_html(&code)));
                    i += close + 2;
                    continue;
                }
            }
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                i += 2;
                continue;
            }
            '*' | '_' => {
                out.push_str(if italic { "</em>" } else { "<em>" });
                italic = !italic;
                i += 1;
                continue;
            }
            '[' => {
                let rest: String = chars[i..].iter().collect();
                if let Some(close) = rest.find("](")
                    && let Some(end) = rest[close..].find(')')
                {
                    let text = &rest[1..close];
                    let url = &rest[close + 2..close + end];
                    out.push_str(&format!(
                        "<a href=\"{}\">{}</a>",
                        escape_html(url),
                        escape_html(text)
                    ));
                    i += rest[..close + end + 1].chars().count();
                    continue;
                }
            }
            _ => {}
        }
        out.push_str(&escape_html(&c.to_string()));
        i += 1;
    }
    if italic {
        out.push_str("</em>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

/// Renders markdown to HTML; `mention_html` renders each mention (given in order).
pub(crate) fn to_html(markdown: &str, mention_html: &[String]) -> String {
    // Replace mentions with private-use placeholders that survive inline rendering.
    let found = mentions(markdown);
    let mut text = String::new();
    let mut last = 0;
    for (k, (range, _)) in found.iter().enumerate() {
        text.push_str(&markdown[last..range.start]);
        text.push(char::from_u32(0xE000 + k as u32).unwrap_or('\u{E000}'));
        last = range.end;
    }
    text.push_str(&markdown[last..]);

    let mut html = String::new();
    let mut in_code = false;
    let mut code = String::new();
    let mut para: Vec<String> = Vec::new();
    let flush = |para: &mut Vec<String>, html: &mut String| {
        if !para.is_empty() {
            html.push_str(&format!("<p>{}</p>", para.join("<br/>")));
            para.clear();
        }
    };
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            if in_code {
                html.push_str(&format!("<pre><code>{}</code></pre>", escape_html(&code)));
                code.clear();
            } else {
                flush(&mut para, &mut html);
            }
            in_code = !in_code;
        } else if in_code {
            code.push_str(line);
            code.push('\n');
        } else if line.trim().is_empty() {
            flush(&mut para, &mut html);
        } else {
            para.push(inline(line));
        }
    }
    flush(&mut para, &mut html);
    if in_code {
        html.push_str(&format!("<pre><code>{}</code></pre>", escape_html(&code)));
    }
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        let n = c as u32;
        if (0xE000..0xE000 + mention_html.len() as u32).contains(&n) {
            out.push_str(&mention_html[(n - 0xE000) as usize]);
        } else {
            out.push(c);
        }
    }
    out
}

/// The plain text Webex derives from markdown: mentions become names, formatting is dropped.
pub(crate) fn to_text(markdown: &str, names: &[String]) -> String {
    let found = mentions(markdown);
    let mut out = String::new();
    let mut last = 0;
    for (k, (range, _)) in found.iter().enumerate() {
        out.push_str(&strip_formatting(&markdown[last..range.start]));
        out.push_str(&names[k]);
        last = range.end;
    }
    out.push_str(&strip_formatting(&markdown[last..]));
    out
}

fn strip_formatting(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '*' | '`' => {}
            '_' => {}
            c => out.push(c),
        }
    }
    out.lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_and_rendered() {
        let md = r"hi <@personEmail:a@b.c|Al> and <@all>, not \<@all>";
        let m = mentions(md);
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0].1,
            MentionRef::PersonEmail("a@b.c".into(), Some("Al".into()))
        );
        let html = to_html(md, &["<M1>".into(), "<M2>".into()]);
        assert_eq!(html, "<p>hi <M1> and <M2>, not &lt;@all&gt;</p>");
        assert_eq!(
            to_text(md, &["Al".into(), "All".into()]),
            "hi Al and All, not <@all>"
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(
            to_html("**b** *i* `c<d>` [x](http://y)", &[]),
            "<p><strong>b</strong> <em>i</em> <code>c&lt;d&gt;</code> <a href=\"http://y\">x</a></p>"
        );
        assert_eq!(
            to_html("a\n\n```\nx<y\n```", &[]),
            "<p>a</p><pre><code>x&lt;y\n</code></pre>"
        );
    }
}
