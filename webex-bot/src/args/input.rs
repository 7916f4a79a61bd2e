//! Turning a Webex message into the text a command is parsed from: the bot's own mention
//! removed, other people's mentions kept as single tokens that know whom they name.

use std::borrow::Cow;

/// Who the bot is, for recognising its own mention.
///
/// ```
/// use webex_bot::args::BotIdentity;
/// let me = BotIdentity::new("Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0", "Ticket Bot");
/// assert_eq!(me.first_name(), "Ticket");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    person_id: String,
    uuid: Option<String>,
    display_name: String,
}

impl BotIdentity {
    /// The bot's person id (as `GET /people/me` gives it) and display name.
    ///
    /// ```
    /// let me = webex_bot::args::BotIdentity::new("bot-id", "Echo");
    /// assert!(me.is(&"bot-id"));
    /// ```
    pub fn new(person_id: impl Into<String>, display_name: impl Into<String>) -> Self {
        let person_id = person_id.into();
        BotIdentity {
            uuid: uuid_of(&person_id),
            person_id,
            display_name: display_name.into(),
        }
    }

    /// The display name.
    ///
    /// ```
    /// assert_eq!(webex_bot::args::BotIdentity::new("i", "Echo Bot").display_name(), "Echo Bot");
    /// ```
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// The first word of the display name (Webex clients often mention with it).
    ///
    /// ```
    /// assert_eq!(webex_bot::args::BotIdentity::new("i", "Echo Bot").first_name(), "Echo");
    /// ```
    pub fn first_name(&self) -> &str {
        self.display_name.split_whitespace().next().unwrap_or("")
    }

    /// The bot's person id.
    ///
    /// ```
    /// assert_eq!(webex_bot::args::BotIdentity::new("i", "E").person_id(), "i");
    /// ```
    pub fn person_id(&self) -> &str {
        &self.person_id
    }

    /// Whether `id` (a base64 person id or a raw UUID) is the bot's.
    ///
    /// ```
    /// use webex_bot::args::BotIdentity;
    /// let me = BotIdentity::new("Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0", "B");
    /// assert!(me.is("1234"));
    /// assert!(me.is("Y2lzY29zcGFyazovL3VzL1BFT1BMRS8xMjM0"));
    /// assert!(!me.is("5678"));
    /// ```
    pub fn is(&self, id: &str) -> bool {
        id == self.person_id
            || self
                .uuid
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(id))
            || uuid_of(id).is_some_and(|u| {
                self.uuid
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(&u))
            })
    }
}

/// The UUID inside a Webex id (`base64("ciscospark://us/PEOPLE/<uuid>")`).
pub(crate) fn uuid_of(id: &str) -> Option<String> {
    crate::models::RestId::decode(id).map(|d| d.uuid)
}

/// A person mentioned in the command text.
///
/// ```
/// use webex_bot::args::MentionSpan;
/// let m = MentionSpan { start: 7, end: 12, person_id: "p1".into() };
/// assert_eq!(m.end - m.start, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionSpan {
    /// Byte offset of the mention's first character in the command text.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// The person's id.
    pub person_id: String,
}

/// The text a command is parsed from, with the bot's mention removed.
///
/// ```
/// use webex_bot::args::CommandInput;
/// assert_eq!(CommandInput::plain(" help ").text(), "help");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandInput<'a> {
    text: Cow<'a, str>,
    mentions: Vec<MentionSpan>,
}

impl<'a> CommandInput<'a> {
    /// Text as it is, with no mentions: for shell input and tests.
    ///
    /// ```
    /// let i = webex_bot::args::CommandInput::plain("  find 42 ");
    /// assert_eq!(i.text(), "find 42");
    /// ```
    pub fn plain(text: &'a str) -> Self {
        CommandInput {
            text: Cow::Borrowed(text.trim()),
            mentions: Vec::new(),
        }
    }

    /// The command text of a message: from its `html` when that holds `<spark-mention>`
    /// elements (the bot's removed, others kept with their ids), otherwise from `text`.
    /// When the message mentions the bot but the HTML does not show where, the bot's
    /// display name or first name is removed from the start or the end of the text. A
    /// message that does not mention the bot (a direct message) is taken as it is, so a
    /// command word that happens to be the bot's name survives.
    ///
    /// ```
    /// use webex_bot::{args::{BotIdentity, CommandInput}, models::Message};
    /// let me = BotIdentity::new("bot-id", "Ticket");
    /// let mut m = Message::default();
    /// m.text = Some("ticket close 5".into());
    /// assert_eq!(CommandInput::from_message(&m, &me).text(), "ticket close 5");
    /// m.text = Some("Ticket ticket close 5".into());
    /// m.mentioned_people = vec!["bot-id".into()];
    /// assert_eq!(CommandInput::from_message(&m, &me).text(), "ticket close 5");
    /// ```
    pub fn from_message(message: &'a crate::models::Message, bot: &BotIdentity) -> Self {
        let text = message.text.as_deref().unwrap_or("");
        let mentioned = message.mentioned_people.iter().any(|p| bot.is(p));
        CommandInput::from_parts(text, message.html.as_deref(), bot, mentioned)
    }

    /// [`from_message`](Self::from_message) from the message's parts.
    ///
    /// ```
    /// use webex_bot::args::{BotIdentity, CommandInput};
    /// let me = BotIdentity::new("bot-id", "Ticket Bot");
    /// let html = r#"<p><spark-mention data-object-type="person" data-object-id="bot-id">Ticket</spark-mention> assign <spark-mention data-object-type="person" data-object-id="alice-id">Alice Smith</spark-mention> 42</p>"#;
    /// let input = CommandInput::from_parts("Ticket assign Alice Smith 42", Some(html), &me, true);
    /// assert_eq!(input.text(), "assign Alice Smith 42");
    /// assert_eq!(input.mentions()[0].person_id, "alice-id");
    ///
    /// let plain = CommandInput::from_parts("Ticket Bot help", None, &me, true);
    /// assert_eq!(plain.text(), "help");
    /// ```
    pub fn from_parts(
        text: &'a str,
        html: Option<&str>,
        bot: &BotIdentity,
        bot_mentioned: bool,
    ) -> Self {
        if let Some(html) = html.filter(|h| h.contains("<spark-mention")) {
            return from_html(html, bot, bot_mentioned);
        }
        let text = text.trim();
        let text = if bot_mentioned {
            strip_name(text, bot)
        } else {
            text
        };
        CommandInput {
            text: Cow::Borrowed(text),
            mentions: Vec::new(),
        }
    }

    /// The command text.
    ///
    /// ```
    /// assert_eq!(webex_bot::args::CommandInput::plain("x").text(), "x");
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The people mentioned in it (not the bot).
    ///
    /// ```
    /// assert!(webex_bot::args::CommandInput::plain("x").mentions().is_empty());
    /// ```
    pub fn mentions(&self) -> &[MentionSpan] {
        &self.mentions
    }
}

/// Removes the bot's name (display or first name, optionally with `@`) from the start or
/// the end of plain text, with the punctuation that follows a leading name.
fn strip_name<'t>(text: &'t str, bot: &BotIdentity) -> &'t str {
    let names = [bot.display_name(), bot.first_name()];
    for name in names.iter().filter(|n| !n.is_empty()) {
        let t = text.strip_prefix('@').unwrap_or(text);
        if let Some(rest) = strip_prefix_ci(t, name)
            && (rest.is_empty()
                || rest.starts_with(|c: char| c.is_whitespace() || ",:;".contains(c)))
        {
            return rest
                .trim_start_matches(|c: char| c.is_whitespace() || ",:;".contains(c))
                .trim_end();
        }
        if let Some(head) = strip_suffix_ci(text, name) {
            let head = head.strip_suffix('@').unwrap_or(head);
            if head.is_empty() || head.ends_with(char::is_whitespace) {
                return head.trim_end();
            }
        }
    }
    text
}

fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    eq_ci(head, prefix).then(|| &text[prefix.len()..])
}

fn strip_suffix_ci<'t>(text: &'t str, suffix: &str) -> Option<&'t str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    eq_ci(tail, suffix).then(|| &text[..cut])
}

/// Case-insensitive equality without allocating.
fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// Builds the command text from Webex's HTML.
fn from_html<'a>(html: &str, bot: &BotIdentity, bot_mentioned: bool) -> CommandInput<'a> {
    let mut found_bot = false;
    let mut out = String::with_capacity(html.len());
    let mut mentions = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else {
            push_decoded(&mut out, rest);
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if name == "spark-mention" {
            let end = rest.find("</spark-mention>").unwrap_or(rest.len());
            let mut inner = String::new();
            push_decoded(&mut inner, &strip_tags(&rest[..end]));
            rest = rest.get(end + "</spark-mention>".len()..).unwrap_or("");
            let kind = attr(tag, "data-object-type").unwrap_or_default();
            let id = attr(tag, "data-object-id");
            match (kind.as_str(), id) {
                ("person", Some(id)) if bot.is(&id) => found_bot = true,
                ("person", Some(id)) if !inner.trim().is_empty() => {
                    let start = out.len();
                    out.push_str(inner.trim());
                    mentions.push(MentionSpan {
                        start,
                        end: out.len(),
                        person_id: id,
                    });
                }
                _ => out.push_str(&inner),
            }
        } else if matches!(name.as_str(), "br" | "p" | "/p" | "div" | "/div" | "li") {
            out.push(' ');
        }
    }
    push_decoded(&mut out, rest);
    // Trim, moving the spans with the text, and drop punctuation left by a leading mention.
    let lead = out.len()
        - out
            .trim_start_matches(|c: char| c.is_whitespace() || ",:;".contains(c))
            .len();
    let trimmed = out[lead..].trim_end();
    let text = if bot_mentioned && !found_bot {
        strip_name(trimmed, bot)
    } else {
        trimmed
    };
    let offset = lead + (text.as_ptr() as usize - trimmed.as_ptr() as usize);
    mentions.retain(|m| m.start >= offset && m.end <= offset + text.len());
    for m in &mut mentions {
        m.start -= offset;
        m.end -= offset;
    }
    CommandInput {
        text: Cow::Owned(text.to_owned()),
        mentions,
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let quote = rest.chars().next()?;
    let value = if quote == '"' || quote == '\'' {
        let body = &rest[1..];
        &body[..body.find(quote)?]
    } else {
        rest.split(|c: char| c.is_whitespace() || c == '>').next()?
    };
    let mut out = String::new();
    push_decoded(&mut out, value);
    Some(out)
}

/// Appends `s` with HTML character references decoded.
fn push_decoded(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let window = rest
            .char_indices()
            .take_while(|(i, _)| *i < 12)
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let Some(semi) = rest[..window].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT_B64: &str = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9hYmNkLTEyMzQ"; // ciscospark://us/PEOPLE/abcd-1234

    fn bot() -> BotIdentity {
        BotIdentity::new(BOT_B64, "Ticket Bot")
    }

    fn mention(id: &str, name: &str) -> String {
        format!(
            r#"<spark-mention data-object-type="person" data-object-id="{id}">{name}</spark-mention>"#
        )
    }

    #[test]
    fn bot_mention_forms_in_html() {
        let b = bot();
        for id in [BOT_B64, "abcd-1234", "ABCD-1234"] {
            for wrap in [("<p>", "</p>"), ("", "")] {
                let m = mention(id, "Ticket");
                for (html, text) in [
                    (format!("{}{m} find 42{}", wrap.0, wrap.1), "Ticket find 42"),
                    (format!("{}find {m} 42{}", wrap.0, wrap.1), "find Ticket 42"),
                    (format!("{}find 42 {m}{}", wrap.0, wrap.1), "find 42 Ticket"),
                    (
                        format!("{}{m}, find 42{}", wrap.0, wrap.1),
                        "Ticket, find 42",
                    ),
                ] {
                    let input = CommandInput::from_parts(text, Some(&html), &b, true);
                    assert_eq!(
                        input.text().split_whitespace().collect::<Vec<_>>(),
                        ["find", "42"],
                        "{html}"
                    );
                    assert!(input.mentions().is_empty());
                }
            }
        }
    }

    #[test]
    fn other_mentions_are_kept_with_spans_and_entities_decoded() {
        let b = bot();
        let html = format!(
            "<p>{} assign {} 42 &amp; {}&lt;3</p>",
            mention(BOT_B64, "Ticket Bot"),
            mention("alice-id", "Alice Smith"),
            r#"<spark-mention data-object-type="groupMention" data-group-type="all">All</spark-mention>"#
        );
        let input = CommandInput::from_parts(
            "Ticket Bot assign Alice Smith 42 & All<3",
            Some(&html),
            &b,
            true,
        );
        assert_eq!(input.text(), "assign Alice Smith 42 & All<3");
        let m = &input.mentions()[0];
        assert_eq!(&input.text()[m.start..m.end], "Alice Smith");
        assert_eq!(m.person_id, "alice-id");
    }

    #[test]
    fn plain_text_names() {
        let b = bot();
        for (text, want) in [
            ("Ticket Bot help", "help"),
            ("ticket bot help", "help"),
            ("Ticket help", "help"),
            ("@Ticket help", "help"),
            ("Ticket: help", "help"),
            ("help Ticket Bot", "help"),
            ("help Ticket", "help"),
            ("help", "help"),
            ("Ticketing help", "Ticketing help"),
            ("Ticket", ""),
        ] {
            assert_eq!(
                CommandInput::from_parts(text, None, &b, true).text(),
                want,
                "{text}"
            );
            assert_eq!(
                CommandInput::from_parts(text, None, &b, false).text(),
                text.trim(),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_html_does_not_panic() {
        let b = bot();
        for html in [
            "<spark-mention",
            "<p>&#xZZ; &#99999999; & <spark-mention data-object-id=\"x\">",
            "<<>>",
            "&",
            "<a href='x'>",
        ] {
            let _ =
                CommandInput::from_parts("x", Some(&format!("{html}<spark-mention>")), &b, true);
        }
    }
}
