//! What a test sees of the bot's answer to one action, and how messages are shown.

use crate::card::render_text;
use crate::models::Message;

/// The messages the bot sent in answer to one user action.
///
/// ```
/// # use webex_bot::{Bot, command, commands, testing::TestBot};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// let replies = bot.say("echo hi");
/// assert_eq!(replies.messages.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Replies {
    /// The user's message, if the action was a message.
    pub sent: Option<Message>,
    /// The bot's messages, oldest first.
    pub messages: Vec<Message>,
    pub(super) transcript: String,
}

impl Replies {
    /// The only reply's text (markdown rendered as text; a card as its text).
    ///
    /// # Panics
    /// Unless there is exactly one reply; the message shows the conversation.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.say("echo hi").text(), "hi");
    /// ```
    #[track_caller]
    pub fn text(&self) -> String {
        assert_eq!(
            self.messages.len(),
            1,
            "expected exactly one reply\n{}",
            self.transcript
        );
        display_text(&self.messages[0])
    }

    /// Asserts that the only reply's text is `expected`.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say("echo hi").assert_text("hi");
    /// ```
    #[track_caller]
    pub fn assert_text(&self, expected: &str) -> &Self {
        let got = self.text();
        assert_eq!(
            got.trim(),
            expected.trim(),
            "unexpected reply\n{}",
            self.transcript
        );
        self
    }

    /// Asserts that some reply contains `needle`.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say("echo hello there").assert_contains("there");
    /// ```
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.messages
                .iter()
                .any(|m| display_text(m).contains(needle)),
            "no reply contains {needle:?}\n{}",
            self.transcript
        );
        self
    }

    /// Asserts that there was no reply.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say_in_group_unmentioned("echo hi").assert_none();
    /// ```
    #[track_caller]
    pub fn assert_none(&self) -> &Self {
        assert!(
            self.messages.is_empty(),
            "expected no reply\n{}",
            self.transcript
        );
        self
    }

    /// The first reply that carries a card.
    ///
    /// # Panics
    /// When there is none.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let replies = bot.say("echo hi");
    /// assert!(replies.messages[0].attachments.is_empty());
    /// ```
    #[track_caller]
    pub fn card(&self) -> &Message {
        // No closure: it would be the panic's location instead of the caller.
        match self.messages.iter().find(|m| !m.attachments.is_empty()) {
            Some(m) => m,
            None => panic!("no reply carries a card\n{}", self.transcript),
        }
    }

    /// The conversation so far, for failure messages.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert!(bot.say("echo hi").transcript().contains("Alice: echo hi"));
    /// ```
    pub fn transcript(&self) -> &str {
        &self.transcript
    }
}

/// The inputs a Webex client submits when a button is pressed: the form's values plus the
/// pressed button's `data` (the button whose `action` is `inputs["action"]`, else the
/// first submit button).
///
/// ```
/// use serde_json::json;
/// use webex_bot::models::{Attachment, Message};
/// let mut m = Message::default();
/// m.attachments = vec![Attachment::card(json!({"actions": [{"type": "Action.Submit", "data": {"action": "ok", "id": 7}}]}))];
/// let inputs = webex_bot::testing::with_button_data(&m, json!({"note": "x"}));
/// assert_eq!(inputs, json!({"note": "x", "action": "ok", "id": 7}));
/// ```
pub fn with_button_data(card_message: &Message, inputs: serde_json::Value) -> serde_json::Value {
    let mut inputs = match inputs {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let wanted = inputs
        .get("action")
        .and_then(|a| a.as_str())
        .map(str::to_owned);
    let buttons = card_message
        .attachments
        .iter()
        .filter_map(|a| a.content.get("actions").and_then(|v| v.as_array()))
        .flatten()
        .filter(|b| b.get("type").and_then(|t| t.as_str()) == Some("Action.Submit"));
    let mut chosen = None;
    for b in buttons {
        let action = b.pointer("/data/action").and_then(|a| a.as_str());
        if wanted.is_none() || action == wanted.as_deref() {
            chosen = Some(b.clone());
            break;
        }
    }
    if let Some(serde_json::Value::Object(data)) = chosen.and_then(|b| b.get("data").cloned()) {
        for (k, v) in data {
            inputs.entry(k).or_insert(v);
        }
    }
    serde_json::Value::Object(inputs)
}

/// How a message shows as text: markdown as text, a card as its text, files by name.
///
/// ```
/// let mut m = webex_bot::models::Message::default();
/// m.text = Some("hi".into());
/// assert_eq!(webex_bot::testing::display_text(&m), "hi");
/// ```
pub fn display_text(m: &Message) -> String {
    let mut s = m.text.clone().unwrap_or_default();
    let cards: Vec<String> = m
        .attachments
        .iter()
        .filter(|a| a.is_card())
        .map(|a| render_text(&a.content).trim_end().to_owned())
        .collect();
    // A card's default fallback text is its own rendering: shown once, not twice.
    if cards.iter().any(|c| c.as_str() == s.trim_end()) {
        s.clear();
    }
    for card in cards {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&card);
    }
    for f in &m.files {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&format!("[file {f}]"));
    }
    s
}
