//! Adaptive cards: a small builder for the elements bots use most, and a plain-text view
//! of any card (for shell mode and test failure messages).
//!
//! ```
//! use webex_bot::card::Card;
//! let card = Card::new()
//!     .title("Book a room")
//!     .input_text("who", "Who is coming?")
//!     .choices("room", "Room", &[("a", "Aspen"), ("b", "Birch")])
//!     .submit("Book", "book");
//! let json = card.to_json();
//! assert_eq!(json["type"], "AdaptiveCard");
//! assert_eq!(json["actions"][0]["data"]["action"], "book");
//! assert!(webex_bot::card::render_text(&json).contains("[Book]"));
//! ```

use serde_json::{Value, json};

/// The adaptive card schema version Webex renders.
///
/// ```
/// assert_eq!(webex_bot::card::CARD_VERSION, "1.3");
/// ```
pub const CARD_VERSION: &str = "1.3";

/// An adaptive card under construction.
///
/// ```
/// let card = webex_bot::card::Card::new().text("Pick one").submit("OK", "ok");
/// assert_eq!(card.fallback_text(), "Pick one\n[OK] (submit: ok)");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Card {
    body: Vec<Value>,
    actions: Vec<Value>,
    fallback: Option<String>,
}

impl Card {
    /// An empty card.
    ///
    /// ```
    /// assert!(webex_bot::card::Card::new().to_json()["body"].as_array().unwrap().is_empty());
    /// ```
    pub fn new() -> Self {
        Card::default()
    }

    /// A large bold heading.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().title("Hi");
    /// assert_eq!(c.to_json()["body"][0]["weight"], "Bolder");
    /// ```
    pub fn title(self, text: &str) -> Self {
        self.element(json!({"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": true}))
    }

    /// A paragraph of text.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().text("Hello");
    /// assert_eq!(c.to_json()["body"][0]["text"], "Hello");
    /// ```
    pub fn text(self, text: &str) -> Self {
        self.element(json!({"type": "TextBlock", "text": text, "wrap": true}))
    }

    /// Label/value pairs.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().facts(&[("Status", "open")]);
    /// assert_eq!(c.to_json()["body"][0]["facts"][0]["value"], "open");
    /// ```
    pub fn facts(self, facts: &[(&str, &str)]) -> Self {
        let facts: Vec<Value> = facts
            .iter()
            .map(|(t, v)| json!({"title": t, "value": v}))
            .collect();
        self.element(json!({"type": "FactSet", "facts": facts}))
    }

    /// A text input.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().input_text("name", "Your name");
    /// assert_eq!(c.to_json()["body"][0]["id"], "name");
    /// ```
    pub fn input_text(self, id: &str, label: &str) -> Self {
        self.element(json!({"type": "Input.Text", "id": id, "label": label}))
    }

    /// A date input (`YYYY-MM-DD`).
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().input_date("day", "Day");
    /// assert_eq!(c.to_json()["body"][0]["type"], "Input.Date");
    /// ```
    pub fn input_date(self, id: &str, label: &str) -> Self {
        self.element(json!({"type": "Input.Date", "id": id, "label": label}))
    }

    /// A time input (`HH:MM`).
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().input_time("at", "Time");
    /// assert_eq!(c.to_json()["body"][0]["type"], "Input.Time");
    /// ```
    pub fn input_time(self, id: &str, label: &str) -> Self {
        self.element(json!({"type": "Input.Time", "id": id, "label": label}))
    }

    /// A yes/no toggle.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().toggle("notify", "Notify me");
    /// assert_eq!(c.to_json()["body"][0]["valueOn"], "true");
    /// ```
    pub fn toggle(self, id: &str, title: &str) -> Self {
        self.element(json!({"type": "Input.Toggle", "id": id, "title": title, "valueOn": "true", "valueOff": "false"}))
    }

    /// A choice of one among `(value, title)` pairs.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().choices("c", "Colour", &[("r", "Red")]);
    /// assert_eq!(c.to_json()["body"][0]["choices"][0]["title"], "Red");
    /// ```
    pub fn choices(self, id: &str, label: &str, choices: &[(&str, &str)]) -> Self {
        let choices: Vec<Value> = choices
            .iter()
            .map(|(v, t)| json!({"title": t, "value": v}))
            .collect();
        self.element(json!({"type": "Input.ChoiceSet", "id": id, "label": label, "choices": choices, "style": "compact"}))
    }

    /// Any adaptive card element, as JSON.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().element(serde_json::json!({"type": "Image", "url": "https://x/y.png"}));
    /// ```
    pub fn element(mut self, element: Value) -> Self {
        self.body.push(element);
        self
    }

    /// A submit button. Its data carries `"action": action`, which the bot uses to route
    /// the submission to the handler registered for that action.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().submit("OK", "confirm");
    /// assert_eq!(c.to_json()["actions"][0]["data"]["action"], "confirm");
    /// ```
    pub fn submit(self, title: &str, action: &str) -> Self {
        self.submit_with(title, action, json!({}))
    }

    /// A submit button with extra data merged into the submitted inputs.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().submit_with("Yes", "confirm", serde_json::json!({"answer": "yes"}));
    /// assert_eq!(c.to_json()["actions"][0]["data"]["answer"], "yes");
    /// ```
    pub fn submit_with(mut self, title: &str, action: &str, data: Value) -> Self {
        let mut data = match data {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        data.insert("action".into(), Value::String(action.into()));
        self.actions
            .push(json!({"type": "Action.Submit", "title": title, "data": data}));
        self
    }

    /// A button opening a URL.
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().open_url("Docs", "https://example.com");
    /// assert_eq!(c.to_json()["actions"][0]["type"], "Action.OpenUrl");
    /// ```
    pub fn open_url(mut self, title: &str, url: &str) -> Self {
        self.actions
            .push(json!({"type": "Action.OpenUrl", "title": title, "url": url}));
        self
    }

    /// The text sent with the card for clients that cannot show cards (default: the
    /// card's text rendered plainly).
    ///
    /// ```
    /// let c = webex_bot::card::Card::new().fallback("Open this in a Webex app");
    /// assert_eq!(c.fallback_text(), "Open this in a Webex app");
    /// ```
    pub fn fallback(mut self, text: &str) -> Self {
        self.fallback = Some(text.into());
        self
    }

    /// The fallback text.
    ///
    /// ```
    /// assert_eq!(webex_bot::card::Card::new().text("Hi").fallback_text(), "Hi");
    /// ```
    pub fn fallback_text(&self) -> String {
        self.fallback
            .clone()
            .unwrap_or_else(|| render_text(&self.to_json()).trim_end().to_owned())
    }

    /// The card JSON.
    ///
    /// ```
    /// assert_eq!(webex_bot::card::Card::new().to_json()["version"], "1.3");
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION,
            "body": self.body,
            "actions": self.actions,
        })
    }
}

/// A plain-text view of any card JSON: text, facts, inputs as `[id: label]`, choices, and
/// buttons as `[Title]`.
///
/// ```
/// let json = serde_json::json!({"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"Hi"}],
///     "actions":[{"type":"Action.Submit","title":"Go","data":{"action":"go"}}]});
/// assert_eq!(webex_bot::card::render_text(&json), "Hi\n[Go] (submit: go)\n");
/// ```
pub fn render_text(card: &Value) -> String {
    let mut out = String::new();
    render_elements(card.get("body"), &mut out);
    for a in card
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let title = a.get("title").and_then(Value::as_str).unwrap_or("button");
        match a.get("type").and_then(Value::as_str) {
            Some("Action.Submit") => {
                let action = a
                    .pointer("/data/action")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                out.push_str(&format!("[{title}] (submit: {action})\n"));
            }
            Some("Action.OpenUrl") => {
                let url = a.get("url").and_then(Value::as_str).unwrap_or("");
                out.push_str(&format!("[{title}] ({url})\n"));
            }
            _ => out.push_str(&format!("[{title}]\n")),
        }
    }
    out
}

fn render_elements(elements: Option<&Value>, out: &mut String) {
    for e in elements.and_then(Value::as_array).into_iter().flatten() {
        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
        match s("type") {
            "TextBlock" => out.push_str(&format!("{}\n", s("text"))),
            "FactSet" => {
                for f in e
                    .get("facts")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let g = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("");
                    out.push_str(&format!("{}: {}\n", g("title"), g("value")));
                }
            }
            "Input.ChoiceSet" => {
                let choices: Vec<String> = e
                    .get("choices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let g = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
                        format!("{}={}", g("value"), g("title"))
                    })
                    .collect();
                out.push_str(&format!(
                    "[{}: {}] one of {}\n",
                    s("id"),
                    label(e),
                    choices.join(", ")
                ));
            }
            t if t.starts_with("Input.") => out.push_str(&format!("[{}: {}]\n", s("id"), label(e))),
            "Container" | "Column" => render_elements(e.get("items"), out),
            "ColumnSet" => {
                for c in e
                    .get("columns")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    render_elements(c.get("items"), out);
                }
            }
            _ => {}
        }
    }
}

fn label(e: &Value) -> &str {
    ["label", "title", "placeholder"]
        .iter()
        .find_map(|k| e.get(*k).and_then(Value::as_str))
        .unwrap_or("")
}
