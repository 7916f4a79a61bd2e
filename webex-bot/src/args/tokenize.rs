//! Splitting command text into words without allocating.

use super::input::MentionSpan;

/// One word of command text: a bare word, a quoted value, or a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range of the whole token (quotes included).
    pub start: usize,
    pub end: usize,
    /// Byte range of its value (quotes excluded).
    pub value_start: usize,
    pub value_end: usize,
    /// Index into the input's mentions.
    pub mention: Option<usize>,
}

/// Iterates over the tokens of `text` from byte offset `pos`.
#[derive(Debug, Clone)]
pub(crate) struct Tokens<'a> {
    text: &'a str,
    mentions: &'a [MentionSpan],
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str, mentions: &'a [MentionSpan], pos: usize) -> Self {
        Tokens {
            text,
            mentions,
            pos,
        }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }
}

fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '\u{201C}' => Some('\u{201D}'), // “ ”
        '\u{201E}' => Some('\u{201C}'), // „ “
        '\u{00AB}' => Some('\u{00BB}'), // « »
        _ => None,
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let rest = &self.text[self.pos..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = self.pos + skipped;
        if start >= self.text.len() {
            self.pos = self.text.len();
            return None;
        }
        if let Some((i, m)) = self
            .mentions
            .iter()
            .enumerate()
            .find(|(_, m)| m.start == start && m.end > start)
        {
            self.pos = m.end;
            return Some(Token {
                start,
                end: m.end,
                value_start: start,
                value_end: m.end,
                mention: Some(i),
            });
        }
        let word = &self.text[start..];
        let first = word.chars().next()?;
        if let Some(close) = closing_quote(first) {
            let body = start + first.len_utf8();
            // `"` also closes a smart-quoted value: phones mix them.
            if let Some(len) = self.text[body..].find([close, '"']) {
                let end_quote = body + len;
                let end = end_quote
                    + self.text[end_quote..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                self.pos = end;
                return Some(Token {
                    start,
                    end,
                    value_start: body,
                    value_end: end_quote,
                    mention: None,
                });
            }
        }
        let len = word.find(char::is_whitespace).unwrap_or(word.len());
        // A mention starting inside a bare word ends the word there.
        let len = self
            .mentions
            .iter()
            .filter(|m| m.start > start && m.start < start + len)
            .map(|m| m.start - start)
            .min()
            .unwrap_or(len);
        self.pos = start + len;
        Some(Token {
            start,
            end: start + len,
            value_start: start,
            value_end: start + len,
            mention: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        Tokens::new(text, &[], 0)
            .map(|t| &text[t.value_start..t.value_end])
            .collect()
    }

    #[test]
    fn words_quotes_and_smart_quotes() {
        assert_eq!(words("  find  42 "), ["find", "42"]);
        assert_eq!(
            words(r#"close 7 "two words" x"#),
            ["close", "7", "two words", "x"]
        );
        assert_eq!(words("say “hello there”"), ["say", "hello there"]);
        assert_eq!(words("say “mixed\" end"), ["say", "mixed", "end"]);
        assert_eq!(
            words(r#"open "unterminated value"#),
            ["open", "\"unterminated", "value"]
        );
        assert_eq!(words(r#""""#), [""]);
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(words("é ü"), ["é", "ü"]);
    }

    #[test]
    fn mentions_are_single_tokens() {
        let text = "assign Alice Smith 42";
        let m = [MentionSpan {
            start: 7,
            end: 18,
            person_id: "a".into(),
        }];
        let toks: Vec<_> = Tokens::new(text, &m, 0).collect();
        assert_eq!(toks.len(), 3);
        assert_eq!(&text[toks[1].start..toks[1].end], "Alice Smith");
        assert_eq!(toks[1].mention, Some(0));
        // An empty mention span (from malformed HTML) is not a token: no endless loop.
        let empty = [MentionSpan {
            start: 0,
            end: 0,
            person_id: "a".into(),
        }];
        assert_eq!(Tokens::new("x y", &empty, 0).count(), 2);
    }
}
