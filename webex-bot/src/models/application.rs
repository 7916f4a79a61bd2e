use serde::{Deserialize, Serialize};

/// A registered application, such as a bot (Applications API).
///
/// `bot_token` is only present when a bot is created or its token regenerated, and is
/// skipped by `Debug`.
///
/// ```
/// use webex_bot::models::Application;
/// let a: Application = serde_json::from_str(
///     r#"{"id":"a1","type":"bot","name":"Ops","botEmail":"ops@webex.bot","botToken":"T0KEN"}"#,
/// ).unwrap();
/// assert_eq!(a.bot_email.as_deref(), Some("ops@webex.bot"));
/// assert!(!format!("{a:?}").contains("T0KEN"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Application {
    /// Unique id (the `botId` of the other calls).
    pub id: String,
    /// Readable id, such as `my-bot-1234`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_id: Option<String>,
    /// `bot`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub app_type: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Logo URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The bot's email, ending in `@webex.bot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_email: Option<String>,
    /// The bot's person id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_person_id: Option<String>,
    /// The bot's access token (on create and regenerate only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<crate::Secret>,
    /// Native app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_native: Option<bool>,
    /// Featured in the App Hub.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_featured: Option<bool>,
    /// App Hub submission status, such as `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_status: Option<String>,
    /// Who created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The JSON body of `POST /applications` for a bot whose logo is a public URL.
///
/// ```
/// use webex_bot::models::NewBotApplication;
/// let b = NewBotApplication::new("Ops", "ops@webex.bot", "Runs ops", "https://example.com/logo.png");
/// assert_eq!(serde_json::to_value(&b).unwrap()["type"], "bot");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewBotApplication {
    /// `bot`.
    #[serde(rename = "type")]
    pub app_type: String,
    /// Name.
    pub name: String,
    /// Unique email, ending in `@webex.bot`.
    pub bot_email: String,
    /// Description.
    pub description: String,
    /// Public logo URL.
    pub logo: String,
}

impl NewBotApplication {
    /// A bot with these details.
    ///
    /// ```
    /// # use webex_bot::models::NewBotApplication;
    /// assert_eq!(NewBotApplication::new("n", "e@webex.bot", "d", "l").app_type, "bot");
    /// ```
    pub fn new(
        name: impl Into<String>,
        bot_email: impl Into<String>,
        description: impl Into<String>,
        logo_url: impl Into<String>,
    ) -> Self {
        NewBotApplication {
            app_type: "bot".into(),
            name: name.into(),
            bot_email: bot_email.into(),
            description: description.into(),
            logo: logo_url.into(),
        }
    }
}

/// The body of `PATCH /applications/{botId}`: only name, description and logo URL change.
///
/// ```
/// use webex_bot::models::UpdateApplication;
/// let mut u = UpdateApplication::default();
/// u.name = Some("New".into());
/// assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"name":"New"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateApplication {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New logo URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}
