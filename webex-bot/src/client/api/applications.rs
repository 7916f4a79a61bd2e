//! `/applications`: registering bots.

use ureq::http::Method;

use super::{enc, json_body};
use crate::client::files::Upload;
use crate::client::multipart::Multipart;
use crate::client::{Body, Client, Error};
use crate::models::{Application, NewBotApplication, UpdateApplication};

/// `/applications`: register bots, change them, regenerate their token, delete them.
/// Call it with an administrator's (or the bot owner's) token, never the bot's own.
///
/// ```no_run
/// # let client = webex_bot::Client::builder().token("admin").fedramp().build().unwrap();
/// use webex_bot::models::NewBotApplication;
/// let bot = client.applications().create_bot(&NewBotApplication::new(
///     "Ops", "ops-bot@webex.bot", "Runs ops", "https://example.com/logo.png",
/// ))?;
/// let token = bot.bot_token.expect("returned on create");
/// # Ok::<(), webex_bot::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ApplicationsApi<'c> {
    pub(crate) client: &'c Client,
}

impl ApplicationsApi<'_> {
    /// Creates a bot whose logo is a public URL; the answer carries its `bot_token`.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::models::NewBotApplication;
    /// let bot = client.applications().create_bot(&NewBotApplication::new("n", "n@webex.bot", "d", "https://x/l.png"))?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn create_bot(&self, bot: &NewBotApplication) -> Result<Application, Error> {
        self.client
            .json(Method::POST, "applications", &[], json_body(bot))
    }

    /// Creates a bot with an uploaded logo image (`multipart/form-data`); `bot.logo` is ignored.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// use webex_bot::{client::Upload, models::NewBotApplication};
    /// let bot = client.applications().create_bot_with_logo(
    ///     &NewBotApplication::new("n", "n@webex.bot", "d", ""),
    ///     Upload::path("logo.png")?,
    /// )?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_bot_with_logo(
        &self,
        bot: &NewBotApplication,
        logo: Upload<'_>,
    ) -> Result<Application, Error> {
        let form = Multipart::new()
            .text("type", bot.app_type.clone())
            .text("name", bot.name.clone())
            .text("botEmail", bot.bot_email.clone())
            .text("description", bot.description.clone())
            .file("logo", logo);
        self.client
            .json(Method::POST, "applications", &[], Body::Multipart(form))
    }

    /// Changes a bot's name, description or logo URL.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let mut u = webex_bot::models::UpdateApplication::default();
    /// u.description = Some("Now with cards".into());
    /// client.applications().update("bot-id", &u)?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn update(&self, bot_id: &str, update: &UpdateApplication) -> Result<Application, Error> {
        self.client.json(
            Method::PATCH,
            &format!("applications/{}", enc(bot_id)),
            &[],
            json_body(update),
        )
    }

    /// Uploads a new logo image for a bot.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.applications().upload_logo("bot-id", webex_bot::client::Upload::path("logo.png")?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upload_logo(&self, bot_id: &str, logo: Upload<'_>) -> Result<Application, Error> {
        let form = Multipart::new().file("logo", logo);
        self.client.json(
            Method::POST,
            &format!("applications/{}/logo", enc(bot_id)),
            &[],
            Body::Multipart(form),
        )
    }

    /// Regenerates a bot's access token; the answer carries the new `bot_token`, and the
    /// old one stops working.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// let fresh = client.applications().regenerate_token("bot-id")?.bot_token;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn regenerate_token(&self, bot_id: &str) -> Result<Application, Error> {
        self.client.json(
            Method::DELETE,
            &format!("applications/{}/botToken", enc(bot_id)),
            &[],
            Body::Empty,
        )
    }

    /// Deletes a bot.
    ///
    /// ```no_run
    /// # let client = webex_bot::Client::new("t");
    /// client.applications().delete("bot-id")?;
    /// # Ok::<(), webex_bot::client::Error>(())
    /// ```
    pub fn delete(&self, bot_id: &str) -> Result<(), Error> {
        self.client.delete(&format!("applications/{}", enc(bot_id)))
    }
}
