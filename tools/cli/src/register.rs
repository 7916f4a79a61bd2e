//! `webex-bot register`: bots through the Applications API (create with a logo URL or an
//! uploaded image, update, a new logo, a new token, delete). Act with an administrator's
//! or the owner's token, never the bot's own.
//!
//! ```no_run
//! use webex_bot_cli::register::{self, Logo};
//! use webex_bot_cli::token::Save;
//! let client = webex_bot::Client::new("admin token");
//! let save = Save { path: Some("ops.token".into()), ..Save::default() };
//! let done = register::create(&client, "Ops", "ops@webex.bot", "Runs ops",
//!     Logo::Url("https://example.com/ops.png".into()), &save, false)?;
//! # Ok::<(), webex_bot_cli::output::Failure>(())
//! ```

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use webex_bot::Client;
use webex_bot::client::Upload;
use webex_bot::models::{Application, NewBotApplication, UpdateApplication};

use crate::output::{Done, Failure, Outcome};
use crate::progress;
use crate::token::Save;

/// Where a bot's logo comes from.
#[derive(Debug, Clone)]
pub enum Logo {
    /// A public https URL.
    Url(String),
    /// An image file, uploaded.
    File(PathBuf),
}

/// An application as output shows it, without its token.
///
/// ```
/// let mut app = webex_bot::models::Application::default();
/// app.id = "A".into();
/// app.bot_token = Some(webex_bot::Secret::new("secret-token"));
/// let v = webex_bot_cli::register::public_json(&app);
/// assert_eq!(v["id"], "A");
/// assert!(!v.to_string().contains("secret-token"));
/// ```
pub fn public_json(app: &Application) -> Value {
    json!({
        "id": app.id, "name": app.name, "botEmail": app.bot_email,
        "botPersonId": app.bot_person_id, "logo": app.logo, "description": app.description,
        "type": app.app_type, "created": app.created,
    })
}

fn describe(app: &Application) -> String {
    format!(
        "bot {} <{}> application id {}",
        app.name.as_deref().unwrap_or("?"),
        app.bot_email.as_deref().unwrap_or("?"),
        app.id
    )
}

/// An upload of the image at `path` that moves a progress bar.
fn upload(path: &Path, show_progress: bool) -> Result<Upload<'static>, Failure> {
    let cannot = |e: std::io::Error| Failure::usage(format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "logo".into());
    let bar = progress::bar(&format!("uploading {name}"), Some(len), show_progress);
    let upload = Upload::reader(name, progress::Counted::new(file, bar));
    if !upload.content_type().starts_with("image/") {
        return Err(Failure::usage(format!(
            "{} is not an image (by its name: {}); a logo must be a PNG or JPEG",
            path.display(),
            upload.content_type()
        )));
    }
    Ok(upload)
}

/// The token in `app`, saved as `save` says.
fn save_token(app: &Application, save: &Save, done: Done) -> Outcome {
    let token = app
        .bot_token
        .as_ref()
        .ok_or_else(|| Failure::failed("Webex sent no bot token back"))?;
    let (lines, saved) = save.store(token)?;
    let mut done = done;
    done.json["token"] = saved;
    done.lines.extend(lines);
    Ok(done)
}

/// `register create`.
pub fn create(
    client: &Client,
    name: &str,
    email: &str,
    description: &str,
    logo: Logo,
    save: &Save,
    show_progress: bool,
) -> Outcome {
    save.check()?;
    if !email.to_ascii_lowercase().ends_with("@webex.bot") {
        return Err(Failure::usage(format!(
            "the bot's email {email:?} must end with @webex.bot"
        )));
    }
    let app = match logo {
        Logo::Url(url) => client.applications().create_bot(&NewBotApplication::new(
            name,
            email,
            description,
            url,
        ))?,
        Logo::File(path) => client.applications().create_bot_with_logo(
            &NewBotApplication::new(name, email, description, ""),
            upload(&path, show_progress)?,
        )?,
    };
    let done = Done::new(json!({"created": public_json(&app)}))
        .line(format!("created {}", describe(&app)));
    save_token(&app, save, done)
}

/// `register update`.
pub fn update(client: &Client, id: &str, update: &UpdateApplication) -> Outcome {
    if update.name.is_none() && update.description.is_none() && update.logo.is_none() {
        return Err(Failure::usage(
            "nothing to change: give --name, --description or --logo-url",
        ));
    }
    let app = client.applications().update(id, update)?;
    Ok(
        Done::new(json!({"updated": public_json(&app)}))
            .line(format!("updated {}", describe(&app))),
    )
}

/// `register logo`.
pub fn logo(client: &Client, id: &str, image: &Path, show_progress: bool) -> Outcome {
    let app = client
        .applications()
        .upload_logo(id, upload(image, show_progress)?)?;
    Ok(
        Done::new(json!({"updated": public_json(&app)})).line(format!(
            "new logo for {}: {}",
            describe(&app),
            app.logo.as_deref().unwrap_or("?")
        )),
    )
}

/// `register regenerate-token`: the old token stops working.
pub fn regenerate_token(client: &Client, id: &str, save: &Save) -> Outcome {
    save.check()?;
    let app = client.applications().regenerate_token(id)?;
    let done = Done::new(json!({"regenerated": public_json(&app)})).line(format!(
        "new token for {}; the old one no longer works",
        describe(&app)
    ));
    save_token(&app, save, done)
}

/// `register delete`.
pub fn delete(client: &Client, id: &str) -> Outcome {
    client.applications().delete(id)?;
    Ok(Done::new(json!({"deleted": id})).line(format!(
        "deleted application {id}; its bot token no longer works"
    )))
}
