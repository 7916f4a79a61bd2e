//! Applications: registering bots, their logos and tokens.

use serde_json::json;

use super::*;
use crate::models::{Application, PersonType};

impl World {
    pub(super) fn create_application(&mut self, caller: &str, req: &Req) -> ApiResult<Answer> {
        let kind = req.required("type")?;
        if kind != "bot" {
            return Err(err(400, "Only bots can be created here."));
        }
        let name = req.required("name")?;
        let email = req.required("botEmail")?;
        let description = req.required("description")?;
        if !email.to_ascii_lowercase().ends_with("@webex.bot") {
            return Err(err(400, "botEmail must end with @webex.bot"));
        }
        if self.person_by_email(&email).is_some() {
            return Err(err(409, "botEmail is already taken."));
        }
        let logo = match (
            req.form.as_ref().and_then(|f| f.file.clone()),
            req.str_field("logo"),
        ) {
            (Some(file), _) => {
                let id = new_id("CONTENT");
                self.contents.insert(
                    id.clone(),
                    Content {
                        bytes: file.bytes,
                        content_type: file.content_type,
                        name: file.file_name,
                        room_id: String::new(),
                    },
                );
                format!("{}/contents/{id}", self.base_url)
            }
            (None, Some(url)) => url,
            (None, None) => {
                return Err(err(400, "A logo is required: a URL or an uploaded image."));
            }
        };
        let token = crate::util::random_hex(24);
        let bot = self.add_person(&name, &email, &token, PersonType::Bot);
        let id = new_id("APPLICATION");
        let now = self.now();
        let mut app = Application::default();
        app.id = id.clone();
        app.friendly_id = Some(format!(
            "{}-{}",
            name.to_lowercase().replace(' ', "-"),
            &crate::util::random_hex(2)
        ));
        app.app_type = Some("bot".into());
        app.name = Some(name);
        app.logo = Some(logo);
        app.description = Some(description);
        app.org_id = Some(self.org_id.clone());
        app.bot_email = Some(email);
        app.bot_person_id = Some(bot.id.clone());
        app.is_native = Some(false);
        app.is_featured = Some(false);
        app.submission_status = Some("none".into());
        app.created_by = Some(caller.to_owned());
        app.created = Some(now);
        self.applications.insert(id, app.clone());
        app.bot_token = Some(crate::Secret::new(token));
        Ok(Answer::Json(Self::to_value(&app)))
    }

    pub(super) fn update_application(&mut self, id: &str, req: &Req) -> ApiResult<Answer> {
        let app = self
            .applications
            .get_mut(id)
            .ok_or_else(|| err(404, "Application not found"))?;
        for (k, field) in [
            ("name", &mut app.name),
            ("description", &mut app.description),
            ("logo", &mut app.logo),
        ] {
            if let Some(v) = req.str_field(k) {
                *field = Some(v);
            }
        }
        Ok(Answer::Json(Self::to_value(&*app)))
    }

    pub(super) fn application_logo(&mut self, id: &str, req: &Req) -> ApiResult<Answer> {
        let file = req
            .form
            .as_ref()
            .and_then(|f| f.file.clone())
            .ok_or_else(|| err(400, "Upload the image in the part `logo`."))?;
        if !self.applications.contains_key(id) {
            return Err(err(404, "Application not found"));
        }
        let cid = new_id("CONTENT");
        self.contents.insert(
            cid.clone(),
            Content {
                bytes: file.bytes,
                content_type: file.content_type,
                name: file.file_name,
                room_id: String::new(),
            },
        );
        let url = format!("{}/contents/{cid}", self.base_url);
        let app = self.applications.get_mut(id).expect("checked");
        app.logo = Some(url);
        Ok(Answer::Json(Self::to_value(&*app)))
    }

    pub(super) fn regenerate_token(&mut self, id: &str) -> ApiResult<Answer> {
        let app = self
            .applications
            .get(id)
            .ok_or_else(|| err(404, "Application not found"))?
            .clone();
        let bot_id = app.bot_person_id.clone().unwrap_or_default();
        self.tokens.retain(|_, p| *p != bot_id);
        let token = crate::util::random_hex(24);
        self.tokens.insert(token.clone(), bot_id);
        let mut answer = app;
        answer.bot_token = Some(crate::Secret::new(token));
        Ok(Answer::Json(Self::to_value(&answer)))
    }

    pub(super) fn delete_application(&mut self, id: &str) -> ApiResult<Answer> {
        let app = self
            .applications
            .remove(id)
            .ok_or_else(|| err(404, "Application not found"))?;
        // The deleted bot's tokens stop working.
        let bot_id = app.bot_person_id.clone().unwrap_or_default();
        self.tokens.retain(|_, p| *p != bot_id);
        Ok(Answer::Json(json!({})))
    }
}
