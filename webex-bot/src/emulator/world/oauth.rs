//! OAuth for integrations: the authorize step (approved, in the emulator, by the user whose
//! token comes with the request) and the token endpoint's authorization-code and
//! refresh-token grants, with expiry and revocation.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::*;

/// An integration registered with the emulator.
#[derive(Debug, Clone)]
pub(crate) struct Integration {
    pub secret: String,
    pub redirect_uri: String,
}

/// A code handed to a redirect, not yet exchanged.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub person: String,
    pub expires: SystemTime,
}

/// A refresh token's grant.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub client_id: String,
    pub person: String,
    pub expires: SystemTime,
    pub revoked: bool,
}

/// The OAuth state of the world.
#[derive(Debug, Default)]
pub(crate) struct OAuth {
    pub integrations: HashMap<String, Integration>,
    pub codes: HashMap<String, Code>,
    pub grants: HashMap<String, Grant>,
    /// When each access token made by a grant expires.
    pub access_expiry: HashMap<String, SystemTime>,
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
}

fn oauth_error(status: u16, error: &str, description: &str) -> Rejection {
    // The body is OAuth's ({error, error_description}); `send_error` adds Webex's fields.
    err(status, format!("{error}: {description}"))
}

impl World {
    /// `GET /authorize`: the approving user is the caller. Answers the redirect location.
    pub(crate) fn authorize(&mut self, caller: &str, req: &Req) -> ApiResult<String> {
        let q = |k: &str| req.q(k).unwrap_or_default().to_owned();
        let client_id = q("client_id");
        let Some(integration) = self.oauth.integrations.get(&client_id) else {
            return Err(err(400, "invalid_client: unknown client_id"));
        };
        if q("response_type") != "code" {
            return Err(err(
                400,
                "unsupported_response_type: response_type must be code",
            ));
        }
        if q("redirect_uri") != integration.redirect_uri {
            return Err(err(
                400,
                "invalid_request: redirect_uri does not match the integration's",
            ));
        }
        if q("scope").trim().is_empty() {
            return Err(err(400, "invalid_scope: no scope"));
        }
        let code = crate::util::random_hex(20);
        self.oauth.codes.insert(
            code.clone(),
            Code {
                client_id,
                redirect_uri: integration.redirect_uri.clone(),
                person: caller.to_owned(),
                expires: SystemTime::now() + Duration::from_secs(300),
            },
        );
        let mut location = form_urlencoded::Serializer::new(String::new());
        location.append_pair("code", &code);
        if let Some(state) = req.q("state") {
            location.append_pair("state", state);
        }
        let sep = if integration.redirect_uri.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!(
            "{}{sep}{}",
            integration.redirect_uri,
            location.finish()
        ))
    }

    /// `POST /access_token` (form): the authorization-code and refresh-token grants.
    pub(crate) fn access_token(&mut self, form: &Value) -> ApiResult<Answer> {
        let f = |k: &str| {
            form.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let client_id = f("client_id");
        let ok_client = self
            .oauth
            .integrations
            .get(&client_id)
            .is_some_and(|i| i.secret == f("client_secret"));
        if !ok_client {
            return Err(oauth_error(
                401,
                "invalid_client",
                "unknown client or wrong secret",
            ));
        }
        let now = SystemTime::now();
        let (person, refresh) = match f("grant_type").as_str() {
            "authorization_code" => {
                let Some(code) = self.oauth.codes.remove(&f("code")) else {
                    return Err(oauth_error(400, "invalid_grant", "unknown or used code"));
                };
                if code.client_id != client_id || code.redirect_uri != f("redirect_uri") {
                    return Err(oauth_error(
                        400,
                        "invalid_grant",
                        "code issued to another client or redirect",
                    ));
                }
                if code.expires < now {
                    return Err(oauth_error(400, "invalid_grant", "the code expired"));
                }
                let refresh = crate::util::random_hex(32);
                self.oauth.grants.insert(
                    refresh.clone(),
                    Grant {
                        client_id: client_id.clone(),
                        person: code.person.clone(),
                        expires: now + self.oauth.refresh_lifetime,
                        revoked: false,
                    },
                );
                (code.person, refresh)
            }
            "refresh_token" => {
                let refresh = f("refresh_token");
                match self.oauth.grants.get(&refresh) {
                    Some(g) if g.client_id == client_id && !g.revoked && g.expires > now => {
                        (g.person.clone(), refresh)
                    }
                    Some(g) if g.revoked => {
                        return Err(oauth_error(
                            400,
                            "invalid_grant",
                            "the refresh token was revoked",
                        ));
                    }
                    Some(g) if g.expires <= now => {
                        return Err(oauth_error(
                            400,
                            "invalid_grant",
                            "the refresh token expired",
                        ));
                    }
                    _ => return Err(oauth_error(400, "invalid_grant", "unknown refresh token")),
                }
            }
            other => {
                return Err(oauth_error(
                    400,
                    "unsupported_grant_type",
                    &format!("{other:?}"),
                ));
            }
        };
        let access = crate::util::random_hex(32);
        self.tokens.insert(access.clone(), person);
        self.oauth
            .access_expiry
            .insert(access.clone(), now + self.oauth.access_lifetime);
        let grant = &self.oauth.grants[&refresh];
        let refresh_left = grant.expires.duration_since(now).unwrap_or_default();
        Ok(Answer::Json(json!({
            "access_token": access,
            "expires_in": self.oauth.access_lifetime.as_secs(),
            "refresh_token": refresh,
            "refresh_token_expires_in": refresh_left.as_secs(),
            "token_type": "Bearer",
        })))
    }

    /// The person a token stands for, unless it expired.
    pub(crate) fn caller_of(&self, token: &str) -> Option<String> {
        if self
            .oauth
            .access_expiry
            .get(token)
            .is_some_and(|t| *t <= SystemTime::now())
        {
            return None;
        }
        self.tokens.get(token).cloned()
    }
}
