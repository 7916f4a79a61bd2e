//! Building Webex markdown safely, and splitting long text into messages Webex accepts.
//!
//! ```
//! use webex_bot::markdown::Markdown;
//! let md = Markdown::new()
//!     .mention_email("alice@example.com", "Alice")
//!     .text(" your build ")
//!     .bold("passed")
//!     .text(": ")
//!     .code("cargo test")
//!     .to_string();
//! assert_eq!(md, "<@personEmail:alice@example.com|Alice> your build **passed**: `cargo test`");
//! ```

use std::fmt;

/// Webex's limit on `text` and `markdown`, in bytes.
///
/// ```
/// assert_eq!(webex_bot::markdown::MAX_MESSAGE_BYTES, 7439);
/// ```
pub const MAX_MESSAGE_BYTES: usize = 7439;

/// A markdown message under construction. Text given to [`text`](Self::text) and the
/// other inline methods is escaped, so user input cannot add formatting or mentions.
///
/// ```
/// use webex_bot::markdown::Markdown;
/// let md = Markdown::new().text("2 * 3 <@all>").to_string();
/// assert_eq!(md, r"2 \* 3 \<@all\>");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    /// An empty message.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().as_str(), "");
    /// ```
    pub fn new() -> Self {
        Markdown(String::new())
    }

    /// Markdown written by the bot author, taken as it is (not escaped).
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::raw("**hi**").as_str(), "**hi**");
    /// ```
    pub fn raw(markdown: impl Into<String>) -> Self {
        Markdown(markdown.into())
    }

    /// Appends markdown as it is (not escaped).
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().push_raw("_x_").as_str(), "_x_");
    /// ```
    pub fn push_raw(mut self, markdown: &str) -> Self {
        self.0.push_str(markdown);
        self
    }

    /// Appends plain text, escaped.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().text("a_b").as_str(), r"a\_b");
    /// ```
    pub fn text(mut self, text: &str) -> Self {
        self.0.push_str(&escape(text));
        self
    }

    /// Appends bold text.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().bold("x").as_str(), "**x**");
    /// ```
    pub fn bold(self, text: &str) -> Self {
        let t = escape(text);
        self.push_raw(&format!("**{t}**"))
    }

    /// Appends italic text.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().italic("x").as_str(), "*x*");
    /// ```
    pub fn italic(self, text: &str) -> Self {
        let t = escape(text);
        self.push_raw(&format!("*{t}*"))
    }

    /// Appends inline code (any backticks inside are fenced correctly).
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().code("a`b").as_str(), "``a`b``");
    /// ```
    pub fn code(self, code: &str) -> Self {
        let ticks = "`".repeat(longest_run(code, '`') + 1);
        let pad = if code.starts_with('`') || code.ends_with('`') {
            " "
        } else {
            ""
        };
        self.push_raw(&format!("{ticks}{pad}{code}{pad}{ticks}"))
    }

    /// Appends a fenced code block on its own lines.
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().code_block("rust", "fn main() {}");
    /// assert_eq!(md.as_str(), "```rust\nfn main() {}\n```\n");
    /// ```
    pub fn code_block(mut self, language: &str, code: &str) -> Self {
        let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
        if !self.0.is_empty() && !self.0.ends_with('\n') {
            self.0.push('\n');
        }
        self.0.push_str(&format!(
            "{fence}{language}\n{}\n{fence}\n",
            code.trim_end_matches('\n')
        ));
        self
    }

    /// Appends a link.
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().link("docs", "https://example.com/a(b)");
    /// assert_eq!(md.as_str(), "[docs](https://example.com/a%28b%29)");
    /// ```
    pub fn link(self, text: &str, url: &str) -> Self {
        let t = escape(text);
        let u = url
            .replace('(', "%28")
            .replace(')', "%29")
            .replace(' ', "%20");
        self.push_raw(&format!("[{t}]({u})"))
    }

    /// Mentions a person by id; `name` is what clients show (Webex fills it in when empty).
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().mention_person("p1", "Alice");
    /// assert_eq!(md.as_str(), "<@personId:p1|Alice>");
    /// ```
    pub fn mention_person(self, person_id: &str, name: &str) -> Self {
        self.mention("personId", person_id, name)
    }

    /// Mentions a person by email.
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().mention_email("a@b.c", "");
    /// assert_eq!(md.as_str(), "<@personEmail:a@b.c>");
    /// ```
    pub fn mention_email(self, email: &str, name: &str) -> Self {
        self.mention("personEmail", email, name)
    }

    fn mention(self, kind: &str, who: &str, name: &str) -> Self {
        let clean = |s: &str| s.replace(['<', '>', '|'], "");
        let m = if name.is_empty() {
            format!("<@{kind}:{}>", clean(who))
        } else {
            format!("<@{kind}:{}|{}>", clean(who), clean(name))
        };
        self.push_raw(&m)
    }

    /// Mentions everyone in the room.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().mention_all().as_str(), "<@all>");
    /// ```
    pub fn mention_all(self) -> Self {
        self.push_raw("<@all>")
    }

    /// Appends a bulleted list item on its own line.
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().item("one").item("two");
    /// assert_eq!(md.as_str(), "- one\n- two\n");
    /// ```
    pub fn item(self, text: &str) -> Self {
        self.line_start().push_raw(&format!("- {}\n", escape(text)))
    }

    /// Appends a numbered list item on its own line.
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().numbered(1, "first");
    /// assert_eq!(md.as_str(), "1. first\n");
    /// ```
    pub fn numbered(self, n: usize, text: &str) -> Self {
        self.line_start()
            .push_raw(&format!("{n}. {}\n", escape(text)))
    }

    /// Appends a quote (each line prefixed with `> `).
    ///
    /// ```
    /// let md = webex_bot::markdown::Markdown::new().quote("a\nb");
    /// assert_eq!(md.as_str(), "> a\n> b\n");
    /// ```
    pub fn quote(self, text: &str) -> Self {
        let q: String = text.lines().map(|l| format!("> {}\n", escape(l))).collect();
        self.line_start().push_raw(&q)
    }

    /// Ends the current line.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::new().text("a").newline().as_str(), "a\n");
    /// ```
    pub fn newline(self) -> Self {
        self.push_raw("\n")
    }

    fn line_start(mut self) -> Self {
        if !self.0.is_empty() && !self.0.ends_with('\n') {
            self.0.push('\n');
        }
        self
    }

    /// The markdown.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::raw("x").as_str(), "x");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markdown, owned.
    ///
    /// ```
    /// assert_eq!(webex_bot::markdown::Markdown::raw("x").into_string(), "x");
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Markdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        cur = if ch == c { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// Escapes text so Webex shows it literally: markdown punctuation and `<` `>` (which would
/// otherwise start a mention or HTML) get a backslash.
///
/// ```
/// assert_eq!(webex_bot::markdown::escape("*[x](y)* #1"), r"\*\[x\]\(y\)\* \#1");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '+'
                | '-'
                | '!'
                | '|'
                | '~'
                | '<'
                | '>'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Cuts markdown into pieces of at most `limit` bytes each, preferring paragraph, line and
/// word boundaries. It never cuts inside a UTF-8 character or a `<@...>` mention; a code
/// block that has to be cut is closed at the end of one piece and reopened (with its
/// language) at the start of the next.
///
/// ```
/// use webex_bot::markdown::split;
/// let long = "word ".repeat(3000);
/// let parts = split(&long, 7439);
/// assert!(parts.len() > 1);
/// assert!(parts.iter().all(|p| p.len() <= 7439));
/// assert_eq!(parts.iter().map(|p| p.split_whitespace().count()).sum::<usize>(), 3000);
/// ```
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(64);
    let mut parts = Vec::new();
    let mut rest = text;
    let mut reopen: Option<String> = None; // fence line to reopen a cut code block
    while !rest.is_empty() {
        let prefix = reopen.take().map(|f| format!("{f}\n")).unwrap_or_default();
        if prefix.len() + rest.len() <= limit {
            let mut last = prefix;
            last.push_str(rest);
            parts.push(last);
            break;
        }
        // Room for the prefix and for a closing fence we may have to add; cut shorter while
        // the piece with its closing fence is over the limit.
        let mut budget = limit.saturating_sub(prefix.len() + 8).max(1);
        let (piece, tail, fence) = loop {
            let cut = choose_cut(rest, budget);
            let (head, tail) = rest.split_at(cut);
            let mut piece = format!("{prefix}{}", head.trim_end_matches([' ', '\t']));
            let fence = open_fence(&piece);
            if let Some(f) = &fence {
                if !piece.ends_with('\n') {
                    piece.push('\n');
                }
                piece.push_str(fence_ticks(f));
            }
            if piece.len() <= limit {
                break (piece, tail, fence);
            }
            if budget == 1 {
                // A fence too long to close within the limit: the piece is cut as plain
                // text, and the block goes on in the next one unmarked.
                let cut = choose_cut(rest, limit.saturating_sub(prefix.len()).max(1));
                let (head, tail) = rest.split_at(cut);
                break (format!("{prefix}{head}"), tail, None);
            }
            budget = budget.saturating_sub(piece.len() - limit).max(1);
        };
        parts.push(piece);
        // A block whose fence alone would take a quarter of a piece is not reopened.
        reopen = fence
            .filter(|f| fence_ticks(f).len() <= limit / 4)
            .map(|f| shorten_fence(&f, limit / 4));
        rest = if reopen.is_some() {
            tail.strip_prefix('\n').unwrap_or(tail)
        } else {
            tail.trim_start_matches([' ', '\n'])
        };
    }
    parts
}

/// The backticks that open `fence` (and close its block).
fn fence_ticks(fence: &str) -> &str {
    &fence[..fence.len() - fence.trim_start_matches('`').len()]
}

/// `fence` with its info string cut so that the line is at most `max` bytes (the ticks are
/// kept whole: fewer would let a line of the block close it).
fn shorten_fence(fence: &str, max: usize) -> String {
    if fence.len() <= max {
        return fence.to_owned();
    }
    let ticks = fence_ticks(fence);
    let mut end = max.max(ticks.len());
    while !fence.is_char_boundary(end) {
        end -= 1;
    }
    fence[..end].to_owned()
}

/// The best byte offset at most `budget` into `s` to cut at.
fn choose_cut(s: &str, budget: usize) -> usize {
    let mut max = budget.min(s.len());
    while !s.is_char_boundary(max) {
        max -= 1;
    }
    // Do not cut inside a mention: move before its `<@`.
    if let Some(open) = s[..max].rfind("<@")
        && !s[open..max].contains('>')
        && open > 0
    {
        max = open;
    }
    let window = &s[..max];
    let floor = max / 2;
    for sep in ["\n\n", "\n", " "] {
        if let Some(i) = window.rfind(sep)
            && i >= floor
            && i > 0
        {
            return i + sep.len();
        }
    }
    if max == 0 {
        s.chars().next().map_or(s.len(), char::len_utf8)
    } else {
        max
    }
}

/// The opening fence line (such as "```rust") of a code block left open in `s`.
fn open_fence(s: &str) -> Option<String> {
    let mut open: Option<String> = None;
    for line in s.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            match &open {
                None => open = Some(t.to_owned()),
                Some(f) => {
                    let ticks = f.chars().take_while(|c| *c == '`').count();
                    if t.chars().take_while(|c| *c == '`').count() >= ticks
                        && t.trim_start_matches('`').trim().is_empty()
                    {
                        open = None;
                    }
                }
            }
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_utf8_mentions_and_code_blocks_whole() {
        let text = "é".repeat(5000);
        let parts = split(&text, 7439);
        assert!(parts.iter().all(|p| p.len() <= 7439));
        assert_eq!(parts.concat(), text);

        let mut t = String::new();
        for i in 0..400 {
            t.push_str(&format!("<@personEmail:user{i}@example.com|User {i}> "));
        }
        for p in split(&t, 1000) {
            assert!(p.len() <= 1000);
            assert_eq!(p.matches("<@").count(), p.matches('>').count(), "{p}");
        }

        let code = format!("intro\n```rust\n{}```\nafter", "let x = 1;\n".repeat(1500));
        let parts = split(&code, 7439);
        assert!(parts.len() >= 3);
        for p in &parts {
            assert!(p.len() <= 7439);
            assert_eq!(
                open_fence(p),
                None,
                "every piece closes its code block:\n{p}"
            );
        }
        assert!(parts[1].starts_with("```rust\n"));
        let lines: usize = parts.iter().map(|p| p.matches("let x = 1;").count()).sum();
        assert_eq!(lines, 1500);
    }

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(split("hello", 7439), ["hello"]);
        assert_eq!(split("", 7439), Vec::<String>::new());
    }

    #[test]
    fn long_fences_stay_within_the_limit() {
        // Found by the markdown fuzz target: a fence line longer than the room left in a
        // piece once it is reopened and closed.
        let long_info = format!("```  {}\n{}```", "\u{fffd}".repeat(20), "x ".repeat(200));
        let many_ticks = format!("{}\n{}", "`".repeat(40), "y ".repeat(200));
        for text in [long_info, many_ticks] {
            for limit in [0, 64, 65, 100] {
                let parts = split(&text, limit);
                for p in &parts {
                    assert!(p.len() <= limit.max(64), "{} bytes: {p:?}", p.len());
                }
                let seen: usize = parts.iter().map(|p| p.matches(['x', 'y']).count()).sum();
                assert_eq!(seen, 200);
            }
        }
    }
}
