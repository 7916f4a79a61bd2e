//! What `build()` checks and makes: the commands compiled, every handler's parameters
//! suppliable, the webhook secret, who the bot is.

use std::sync::Arc;

use super::builder::BotBuilder;
use super::configured::{Bot, Settings};
use super::engine::Engine;
use super::error::BotError;
use super::kinds::HandlerKind;
use super::listener::Site;
use super::source::Events;
use crate::args::BotIdentity;
use crate::webhook::Secret;

impl BotBuilder {
    /// Checks the configuration, compiles the commands and learns who the bot is.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]);
    /// let bot = builder
    ///     .client(webex_bot::Client::new("token"))
    ///     .identity(webex_bot::BotIdentity::new("bot-id", "Bot"))
    ///     .secret(webex_bot::Secret::new("s3cret"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(bot.identity().display_name(), "Bot");
    /// ```
    pub fn build(self) -> Result<Bot, BotError> {
        crate::logging::warn_if_wire_is_logged();
        let client = self.client.ok_or(BotError::NoClient)?;
        let dispatcher = self.commands.compile().map_err(BotError::Conflict)?;
        for name in self.command_access.keys() {
            if !dispatcher.specs().any(|s| s.name == *name) {
                return Err(BotError::UnknownCommand((*name).to_owned()));
            }
        }
        // Every handler's parameters can be supplied: checked before any call to Webex.
        dispatcher.check(&self.state).map_err(BotError::Handler)?;
        for h in self.cards.values() {
            h.check(HandlerKind::Card, &self.state)
                .map_err(BotError::Handler)?;
        }
        for h in self.on_added.iter().chain(&self.on_removed) {
            h.check(HandlerKind::Membership, &self.state)
                .map_err(BotError::Handler)?;
        }
        for r in &self.routes {
            r.handler
                .check(HandlerKind::Route, &self.state)
                .map_err(BotError::Handler)?;
        }
        let webhook_path = match &self.public_url {
            Some(u) => {
                crate::util::HttpUrl::parse(u)
                    .map_err(|reason| BotError::PublicUrl {
                        url: u.clone(),
                        reason,
                    })?
                    .path
            }
            None => "/".into(),
        };
        let events = self.events.unwrap_or(
            if self.public_url.is_some() || self.secret.is_some() || self.accept_unsigned {
                Events::Webhook
            } else {
                Events::Websocket
            },
        );
        let secret = match (self.secret, &self.public_url, self.manage_webhooks) {
            (Some(s), _, _) => Some(s),
            (None, Some(_), true) if events == Events::Webhook && self.redis_url.is_some() => {
                // A random secret per replica: each would re-sign the shared webhooks with
                // its own, and the others would refuse every delivery.
                return Err(BotError::Redis(
                    "replicas must share one webhook secret: set WEBEX_WEBHOOK_SECRET (or BotBuilder::secret)".into(),
                ));
            }
            (None, Some(_), true) if events == Events::Webhook => Some(Secret::random()),
            _ => None,
        };
        // Over the websocket the listener takes no deliveries, so it needs no secret.
        if events == Events::Webhook && secret.is_none() && !self.accept_unsigned {
            return Err(BotError::NoSecret);
        }
        let identity = match self.identity {
            Some(i) => i,
            None => {
                let me = client.people().me()?;
                BotIdentity::new(me.id.clone(), me.display_name.clone().unwrap_or_default())
            }
        };
        let managed = match (self.public_url, self.manage_webhooks, events) {
            (Some(url), true, Events::Webhook) => Some((url, self.webhook_name)),
            _ => None,
        };
        let engine = Engine {
            client,
            dispatcher,
            identity: Arc::new(identity),
            state: Arc::new(self.state),
            counters: Default::default(),
            ignore_bots: self.ignore_bots,
            access: self.access,
            command_access: self.command_access,
            cards: self.cards,
            on_added: self.on_added,
            on_removed: self.on_removed,
            explain: self.explain,
            conversations: Arc::default(),
        };
        Ok(Bot {
            engine,
            secret,
            site: Site {
                webhook_path,
                routes: self.routes,
                body_limit: self.body_limit,
                webhooks: events == Events::Webhook,
            },
            settings: Settings {
                listen: self.listen,
                workers: self.workers,
                queue: self.queue,
                max_connections: self.max_connections,
                managed,
                remove_webhooks_on_shutdown: self.remove_webhooks_on_shutdown,
                shutdown_deadline: self.shutdown_deadline,
                on_start: self.on_start,
                jobs: self.jobs,
                events,
                websocket: self.websocket,
                redis_url: self.redis_url,
                replicas: self.replicas,
            },
        })
    }
}
