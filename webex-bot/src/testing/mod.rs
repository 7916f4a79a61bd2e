//! Testing a bot with ordinary `#[test]` functions: the bot runs against an in-process
//! emulator, a test user talks to it, and the test checks the replies. Waiting is bounded
//! and driven by events (no sleeps): a call returns once every webhook the message caused
//! was delivered and handled.
//!
//! ```
//! use webex_bot::{Bot, command, commands, testing::TestBot};
//!
//! /// Echo the text.
//! #[command("echo <text...>")]
//! fn echo(text: String) -> String { text }
//!
//! let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
//! bot.say("echo hello there").assert_text("hello there");
//! bot.say_in_group("echo hi").assert_text("hi");
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use crate::Client;
use crate::args::BotIdentity;
use crate::bot::{BotBuilder, Events, RunningBot};
use crate::emulator::{Account, Emulator};
use crate::models::{Message, NewAttachmentAction, NewMembership, NewMessage, NewRoom};
use crate::webhook::Secret;

mod error;
mod redis;
mod replies;

pub use error::TestError;
pub use redis::RedisServer;

pub use replies::{Replies, display_text, with_button_data};

/// How long a call waits for the bot before failing.
///
/// ```
/// assert_eq!(webex_bot::testing::DEFAULT_TIMEOUT.as_secs(), 15);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// 0: from `WEBEX_EVENTS`; 1: webhooks; 2: the websocket.
static EVENTS: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Where [`TestBot::start`] takes events from, for the rest of this process, whatever
/// `WEBEX_EVENTS` says: for a test target that runs a suite written for one mode in the
/// other (this crate's own suites run in both).
///
/// ```
/// use webex_bot::bot::Events;
/// use webex_bot::testing::{TestBot, set_events};
/// # use webex_bot::{Bot, command, commands};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// set_events(Events::Websocket);
/// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// assert!(bot.running().stats().connection.is_some());
/// ```
pub fn set_events(events: Events) {
    let v = match events {
        Events::Webhook => 1,
        Events::Websocket => 2,
    };
    EVENTS.store(v, std::sync::atomic::Ordering::SeqCst);
}

/// A bot running against its own emulator, with a test user "Alice".
///
/// ```
/// # use webex_bot::{Bot, command, commands, testing::TestBot};
/// # /// Echo.
/// # #[command("echo <text...>")]
/// # fn echo(text: String) -> String { text }
/// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
/// bot.say("echo hi").assert_text("hi");
/// ```
pub struct TestBot {
    emulator: Emulator,
    running: Option<RunningBot>,
    user: Account,
    user_client: Client,
    group_room: String,
    timeout: Duration,
    transcript: std::sync::Mutex<String>,
    /// Ids of the bot's messages returned by `expect_later` already.
    returned_later: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl std::fmt::Debug for TestBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestBot")
            .field("emulator", &self.emulator)
            .finish_non_exhaustive()
    }
}

impl TestBot {
    /// Starts the bot of `builder` against a new emulator with a bot "Test Bot" and a user
    /// "Alice"; the bot's client, listener, secret and webhooks are set up by the harness.
    /// Events come over webhooks, or over the websocket when `WEBEX_EVENTS=websocket` (or
    /// [`set_events`]) says so.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say("echo ready").assert_text("ready");
    /// ```
    pub fn start(builder: BotBuilder) -> Result<TestBot, TestError> {
        let events = match EVENTS.load(std::sync::atomic::Ordering::SeqCst) {
            1 => Events::Webhook,
            2 => Events::Websocket,
            _ => match std::env::var("WEBEX_EVENTS") {
                Ok(v) if !v.trim().is_empty() => v.parse().map_err(TestError::Bot)?,
                _ => Events::Webhook,
            },
        };
        TestBot::start_with(builder, events)
    }

    /// As [`start`](Self::start), with events over webhooks or over the emulator's
    /// websocket. [`start`](Self::start) takes the mode from `WEBEX_EVENTS` (default
    /// `webhook`), so a whole suite runs in either mode.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// use webex_bot::bot::Events;
    /// let bot = TestBot::start_with(Bot::builder(commands![echo]), Events::Websocket).unwrap();
    /// bot.say("echo over the websocket").assert_text("over the websocket");
    /// ```
    pub fn start_with(builder: BotBuilder, events: Events) -> Result<TestBot, TestError> {
        let emulator = Emulator::builder()
            .bot("Test Bot", "test-bot@webex.bot")
            .user("Alice", "alice@example.com")
            .start()
            .map_err(TestError::Emulator)?;
        let bot = emulator.bot().clone();
        let user = emulator.users()[0].clone();
        let secret = Secret::random();
        let builder = builder
            .client(
                Client::builder()
                    .token(&bot.token)
                    .base_url(emulator.base_url())
                    .build()?,
            )
            .identity(BotIdentity::new(bot.id.clone(), bot.name.clone()))
            .listen("127.0.0.1:0")
            .manage_webhooks(false)
            .events(events);
        let builder = match events {
            Events::Webhook => builder.secret(secret.clone()),
            Events::Websocket => builder
                .u2c_url(emulator.u2c_url())
                .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(200)),
        };
        let running = builder
            .build()
            .and_then(|b| b.start())
            .map_err(TestError::Bot)?;
        if events == Events::Webhook {
            let bot_client = emulator.client_for(&bot);
            crate::webhook::ensure_webhooks(
                &bot_client,
                "webex-bot",
                &running.webhook_url(),
                &secret,
            )?;
        }
        let user_client = emulator.client_for(&user);
        let room = user_client.rooms().create(&NewRoom::new("Test group"))?;
        user_client
            .memberships()
            .create(&NewMembership::by_id(&room.id, &bot.id))?;
        let t = TestBot {
            emulator,
            running: Some(running),
            user,
            user_client,
            group_room: room.id,
            timeout: DEFAULT_TIMEOUT,
            transcript: std::sync::Mutex::new(String::new()),
            returned_later: std::sync::Mutex::new(std::collections::HashSet::new()),
        };
        t.settle(Since::Ids(Vec::new()));
        Ok(t)
    }

    /// The emulator, for inspection and fault injection.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.emulator().bot().name, "Test Bot");
    /// ```
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// The running bot.
    ///
    /// # Panics
    /// After [`shutdown_bot`](Self::shutdown_bot).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say("echo x");
    /// assert!(bot.running().stats().commands >= 1);
    /// ```
    pub fn running(&self) -> &RunningBot {
        self.running
            .as_ref()
            .expect("the bot runs until the TestBot is dropped")
    }

    /// The test user.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert_eq!(bot.user().email, "alice@example.com");
    /// ```
    pub fn user(&self) -> &Account {
        &self.user
    }

    /// The test user's client.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert!(bot.user_client().people().me().is_ok());
    /// ```
    pub fn user_client(&self) -> &Client {
        &self.user_client
    }

    /// The group room shared by the user and the bot.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// assert!(!bot.group_room().is_empty());
    /// ```
    pub fn group_room(&self) -> &str {
        &self.group_room
    }

    /// Shuts the bot down gracefully (as SIGTERM would) and returns its final counters.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let mut bot = bot;
    /// bot.say("echo last");
    /// assert_eq!(bot.shutdown_bot().processed, bot.emulator().deliveries().len() as u64);
    /// ```
    pub fn shutdown_bot(&mut self) -> crate::bot::Stats {
        match self.running.take() {
            Some(mut r) => {
                r.shutdown();
                r.stats()
            }
            None => crate::bot::Stats::default(),
        }
    }

    /// Changes how long calls wait for the bot.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let mut bot = bot;
    /// bot.set_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends a direct message from the user to the bot and returns the bot's replies.
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
    pub fn say(&self, text: &str) -> Replies {
        self.send(NewMessage::to_email(&self.emulator.bot().email).text(text))
    }

    /// Sends a message in the group room, mentioning the bot first.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say_in_group("echo hi").assert_text("hi");
    /// ```
    #[track_caller]
    pub fn say_in_group(&self, text: &str) -> Replies {
        let bot = self.emulator.bot();
        let md = format!(
            "<@personId:{}|{}> {}",
            bot.id,
            bot.name.split_whitespace().next().unwrap_or(""),
            crate::markdown::escape(text)
        );
        self.send(NewMessage::to_room(&self.group_room).markdown(md))
    }

    /// Sends a message in the group room without mentioning the bot (it must not see it).
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
    pub fn say_in_group_unmentioned(&self, text: &str) -> Replies {
        self.send(NewMessage::to_room(&self.group_room).text(text))
    }

    /// Sends a direct message with a file from the user to the bot.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let r = bot.say_with_file("echo with a file", "a.txt", b"data");
    /// r.assert_text("with a file");
    /// ```
    #[track_caller]
    pub fn say_with_file(&self, text: &str, file_name: &str, bytes: &[u8]) -> Replies {
        let message = NewMessage::to_email(&self.emulator.bot().email).text(text);
        let sent = match self
            .user_client
            .messages()
            .create_with_file(&message, crate::client::Upload::reader(file_name, bytes))
        {
            Ok(m) => m,
            Err(e) => panic!("the user's file was refused: {e}\n{}", self.transcript()),
        };
        self.note(&format!(
            "{}: {} [file {file_name}, {} bytes]",
            self.user.name,
            text,
            bytes.len()
        ));
        self.settle(Since::Message(Box::new(sent)))
    }

    /// Sends any message as the user.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// use webex_bot::models::NewMessage;
    /// bot.send(NewMessage::to_email("test-bot@webex.bot").markdown("echo **bold**")).assert_text("bold");
    /// ```
    #[track_caller]
    pub fn send(&self, message: NewMessage) -> Replies {
        self.send_with(&self.user_client, &self.user, message)
    }

    /// Sends a message as another account of the emulator (one added with
    /// [`Emulator::add_user`], say), and waits for the bot as [`send`](Self::send) does.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// use webex_bot::models::NewMessage;
    /// let bob = bot.emulator().add_user("Bob", "bob@example.com");
    /// bot.send_as(&bob, NewMessage::to_email("test-bot@webex.bot").text("echo hi")).assert_text("hi");
    /// ```
    #[track_caller]
    pub fn send_as(&self, account: &Account, message: NewMessage) -> Replies {
        self.send_with(&self.emulator.client_for(account), account, message)
    }

    #[track_caller]
    fn send_with(&self, client: &Client, account: &Account, message: NewMessage) -> Replies {
        let sent = match client.messages().create(&message) {
            Ok(m) => m,
            Err(e) => panic!(
                "the message of {} was refused: {e}\n{}",
                account.name,
                self.transcript()
            ),
        };
        self.note(&format!("{}: {}", account.name, display_text(&sent)));
        self.settle(Since::Message(Box::new(sent)))
    }

    /// Waits for a message from the bot whose text contains `needle` and that no earlier
    /// `expect_later` returned: one the bot posts later, on its own (a reminder from
    /// [`Context::reply_later`](crate::Context::reply_later), a notification from a timer or
    /// another thread). If it came already, while the harness waited for an earlier action,
    /// it is returned at once; so an action that schedules one is best checked with
    /// `assert_contains`. Event-driven: it returns as soon as the message is there, and
    /// fails after the harness timeout ([`set_timeout`](Self::set_timeout)) with the
    /// conversation so far.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webex_bot::{Bot, Context, command, commands, testing::TestBot};
    ///
    /// /// Remind me.
    /// #[command("remind <text...>")]
    /// fn remind(text: String, ctx: &Context) -> String {
    ///     ctx.reply_later(Duration::from_millis(10), format!("Reminder: {text}"));
    ///     "I'll remind you.".into()
    /// }
    ///
    /// let bot = TestBot::start(Bot::builder(commands![remind])).unwrap();
    /// bot.say("remind stretch").assert_contains("I'll remind you.");
    /// bot.expect_later("Reminder:").assert_text("Reminder: stretch");
    /// ```
    #[track_caller]
    pub fn expect_later(&self, needle: &str) -> Replies {
        let bot_id = self.emulator.bot().id.clone();
        let found = |e: &Emulator| -> Option<Message> {
            let returned = self.returned_later.lock().expect("returned");
            e.all_messages()
                .into_iter()
                .filter(|m| m.person_id.as_deref() == Some(bot_id.as_str()))
                .filter(|m| !returned.contains(&m.id))
                .find(|m| display_text(m).contains(needle))
        };
        if !self
            .emulator
            .wait_until(self.timeout, |e| found(e).is_some())
        {
            panic!(
                "the bot posted nothing with {needle:?} within {:?}\n{}",
                self.timeout,
                self.transcript()
            );
        }
        let message = found(&self.emulator).expect("found above");
        self.note(&format!(
            "bot (later): {}",
            display_text(&message).replace('\n', "\n       ")
        ));
        self.returned_later
            .lock()
            .expect("returned")
            .insert(message.id.clone());
        Replies {
            sent: None,
            messages: vec![message],
            transcript: self.transcript(),
        }
    }

    /// Presses a submit button of a card: `inputs` are the card's input values (include
    /// `"action"` to pick the button).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// // See the cards example: `bot.submit_card(&replies.card(), json!({"action": "send"}))`.
    /// let _ = &bot;
    /// ```
    #[track_caller]
    pub fn submit_card(&self, card_message: &Message, inputs: serde_json::Value) -> Replies {
        let inputs = with_button_data(card_message, inputs);
        let before = self.message_ids();
        let action = NewAttachmentAction::submit(&card_message.id, inputs.clone());
        if let Err(e) = self.user_client.attachment_actions().create(&action) {
            panic!(
                "the card submission was refused: {e}\n{}",
                self.transcript()
            );
        }
        self.note(&format!("{} submits the card: {inputs}", self.user.name));
        self.settle(Since::Ids(before))
    }

    /// Adds the bot to a new group room created by the user and returns its id and the
    /// bot's replies (its greeting).
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let (room, replies) = bot.add_bot_to_new_room("New space");
    /// replies.assert_none();
    /// assert!(!room.is_empty());
    /// ```
    #[track_caller]
    pub fn add_bot_to_new_room(&self, title: &str) -> (String, Replies) {
        let before = self.message_ids();
        let room = self
            .user_client
            .rooms()
            .create(&NewRoom::new(title))
            .expect("room created");
        self.user_client
            .memberships()
            .create(&NewMembership::by_id(&room.id, &self.emulator.bot().id))
            .expect("bot added");
        self.note(&format!("{} adds the bot to {title:?}", self.user.name));
        (room.id, self.settle(Since::Ids(before)))
    }

    /// Removes the bot from a room (as the user) and returns what the bot sent then.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// let (room, _) = bot.add_bot_to_new_room("Brief");
    /// bot.remove_bot_from_room(&room).assert_none();
    /// ```
    #[track_caller]
    pub fn remove_bot_from_room(&self, room_id: &str) -> Replies {
        let before = self.message_ids();
        let bot_id = &self.emulator.bot().id;
        let membership = self
            .user_client
            .memberships()
            .list(
                &crate::client::ListMemberships::default()
                    .room_id(room_id)
                    .person_id(bot_id.clone()),
            )
            .next()
            .and_then(Result::ok);
        let Some(membership) = membership else {
            panic!("the bot is not in room {room_id}\n{}", self.transcript());
        };
        self.user_client
            .memberships()
            .delete(&membership.id)
            .expect("bot removed");
        self.note(&format!("{} removes the bot from a room", self.user.name));
        self.settle(Since::Ids(before))
    }

    /// The conversation so far.
    ///
    /// ```
    /// # use webex_bot::{Bot, command, commands, testing::TestBot};
    /// # /// Echo.
    /// # #[command("echo <text...>")]
    /// # fn echo(text: String) -> String { text }
    /// let bot = TestBot::start(Bot::builder(commands![echo])).unwrap();
    /// bot.say("echo hi");
    /// assert!(bot.transcript().contains("bot: hi"));
    /// ```
    pub fn transcript(&self) -> String {
        self.transcript.lock().expect("transcript").clone()
    }

    fn note(&self, line: &str) {
        let mut t = self.transcript.lock().expect("transcript");
        let _ = writeln!(t, "  {line}");
    }

    /// The ids of every message so far, taken before an action whose replies are wanted.
    fn message_ids(&self) -> Vec<String> {
        self.emulator
            .all_messages()
            .into_iter()
            .map(|m| m.id)
            .collect()
    }

    /// Waits until every delivery the last action caused was made and handled, then
    /// returns the bot's messages created since `since`.
    #[track_caller]
    fn settle(&self, since: Since) -> Replies {
        let running = self.running();
        let done = self.emulator.wait_until(self.timeout, |e| {
            if e.events_in_flight() > 0 {
                return false;
            }
            // Done when every accepted event was handled, or its handler waits for an answer.
            let s = running.stats();
            s.processed + s.waiting == s.accepted
        });
        if !done {
            panic!(
                "the bot did not finish within {:?}\n{}",
                self.timeout,
                self.transcript()
            );
        }
        let bot_id = &self.emulator.bot().id;
        let messages: Vec<Message> = self
            .emulator
            .all_messages()
            .into_iter()
            .filter(|m| m.person_id.as_deref() == Some(bot_id.as_str()))
            .filter(|m| match &since {
                Since::Message(s) => m.created > s.created,
                Since::Ids(before) => !before.contains(&m.id),
            })
            .collect();
        for m in &messages {
            self.note(&format!(
                "bot: {}",
                display_text(m).replace('\n', "\n       ")
            ));
        }
        let sent = match since {
            Since::Message(m) => Some(*m),
            Since::Ids(_) => None,
        };
        Replies {
            sent,
            messages,
            transcript: self.transcript(),
        }
    }
}

/// Which of the bot's messages answer an action.
enum Since {
    /// Those created after this message (the user's).
    Message(Box<Message>),
    /// Those not among these ids (taken before the action).
    Ids(Vec<String>),
}

impl Drop for TestBot {
    fn drop(&mut self) {
        if let Some(mut r) = self.running.take() {
            r.shutdown();
        }
    }
}
