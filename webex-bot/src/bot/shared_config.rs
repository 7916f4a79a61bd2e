//! The builder's settings for what a bot's replicas share (Redis, the claim timeout), and
//! the state and jobs that replicas share too: per-room and per-person state, periodic
//! jobs.

use std::sync::Arc;
use std::time::Duration;

use super::builder::BotBuilder;
use super::notifier::Notifier;
use crate::Secret;

impl BotBuilder {
    /// Shares what replicas must agree on through the Redis server at `url`
    /// (`redis://[:password@]host[:port][/db]`; `WEBEX_REDIS_URL`): an event is then
    /// handled once whichever replica receives it. The server must answer at start, or
    /// `start` fails; while running, an event that cannot be checked against Redis is not
    /// acknowledged (503 to a webhook, no ack on the websocket), so Webex delivers it
    /// again. The URL is a secret: it may hold a password.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).redis(webex_bot::Secret::new("redis://127.0.0.1:6379"));
    /// ```
    pub fn redis(mut self, url: Secret) -> Self {
        self.redis_url = Some(url);
        self
    }

    /// With [`redis`](Self::redis): how long an event taken by a replica may go without
    /// its heartbeat before another replica claims it (default 30 s). A replica that died
    /// is noticed this long after; a live one beats three times in that time.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).claim_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn claim_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.replicas.claim_timeout = timeout.max(std::time::Duration::from_millis(150));
        self
    }

    /// Declares per-room state of type `T` called `name` (its name in Redis with
    /// replicas: keep it when the type changes shape compatibly), each value expiring
    /// `ttl` after it was last written. Handlers take it as [`RoomState<T>`](crate::RoomState).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Cart { items: Vec<String> }
    /// let builder = Bot::builder(commands![echo]).room_state::<Cart>("cart", std::time::Duration::from_secs(3600));
    /// ```
    pub fn room_state<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static>(
        self,
        name: impl Into<String>,
        ttl: Duration,
    ) -> Self {
        self.declare::<super::scoped::RoomScope, T>(name.into(), ttl)
    }

    /// Declares per-person state of type `T` called `name`, each value expiring `ttl`
    /// after it was last written. Handlers take it as [`PersonState<T>`](crate::PersonState).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let builder = Bot::builder(commands![echo]).person_state::<String>("language", std::time::Duration::from_secs(86_400));
    /// ```
    pub fn person_state<
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    >(
        self,
        name: impl Into<String>,
        ttl: Duration,
    ) -> Self {
        self.declare::<super::scoped::PersonScope, T>(name.into(), ttl)
    }

    fn declare<S: 'static, T: Send + Sync + 'static>(
        mut self,
        name: String,
        ttl: Duration,
    ) -> Self {
        if self.state.get::<super::scoped::ScopedStore>().is_none() {
            self.state
                .insert(Arc::new(super::scoped::ScopedStore::default()));
        }
        self.state
            .insert(Arc::new(super::scoped::Declared::<S, T>::new(
                name,
                ttl.max(Duration::from_millis(1)),
            )));
        self
    }

    /// Runs `job` every `period` once the bot serves, with a [`Notifier`] to post. With
    /// replicas ([`redis`](Self::redis)), one replica at a time runs it: the holder of the
    /// lease `job:NAME`, which passes to another replica when its holder stops (at once)
    /// or dies (within two periods). A panic in the job is logged; the next run happens.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// use std::time::Duration;
    /// let builder = Bot::builder(commands![echo]).every("digest", Duration::from_secs(3600), |notifier| {
    ///     let _ = notifier.send(webex_bot::Reply::text("Hourly digest").to_room("room-id"));
    /// });
    /// ```
    pub fn every(
        mut self,
        name: impl Into<String>,
        period: Duration,
        job: impl Fn(&Notifier) + Send + Sync + 'static,
    ) -> Self {
        self.jobs.push(super::jobs::JobSpec {
            name: name.into(),
            period: period.max(Duration::from_millis(10)),
            run: std::sync::Arc::new(job),
        });
        self
    }
}
