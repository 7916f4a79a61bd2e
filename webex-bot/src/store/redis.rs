//! The Redis store: pooled blocking connections (r2d2) with connect, read and write
//! timeouts, so that a Redis that went away costs a bounded wait, never a stuck worker;
//! broken connections are dropped and new ones made, so it resumes by itself.
//!
//! Keys are namespaced by a prefix (the bot's person id), so several bots can share one
//! Redis. The URL may hold a password: it is kept as a [`Secret`], and errors and logs name
//! only the host and port.

use std::fmt;
use std::time::Duration;

use crate::Secret;

/// How long connecting may take.
const CONNECT: Duration = Duration::from_secs(2);
/// How long one command may wait for its answer.
const IO: Duration = Duration::from_secs(2);
/// Connections kept per process: workers and the listener share them.
const POOL: u32 = 16;

/// Redis could not be used; the message names the server (never its password) and what
/// failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// Makes and checks connections for the pool.
struct Manager {
    client: ::redis::Client,
}

impl r2d2::ManageConnection for Manager {
    type Connection = ::redis::Connection;
    type Error = ::redis::RedisError;

    fn connect(&self) -> Result<Self::Connection, Self::Error> {
        let conn = self.client.get_connection_with_timeout(CONNECT)?;
        conn.set_read_timeout(Some(IO))?;
        conn.set_write_timeout(Some(IO))?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Self::Connection) -> Result<(), Self::Error> {
        ::redis::cmd("PING").query::<String>(conn).map(drop)
    }

    fn has_broken(&self, conn: &mut Self::Connection) -> bool {
        !::redis::ConnectionLike::is_open(conn)
    }
}

/// A bot's keys on one Redis server.
pub(crate) struct RedisStore {
    pool: r2d2::Pool<Manager>,
    prefix: String,
    /// `host:port`, for messages.
    server: String,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisStore {
    /// Connects to the server at `url` (`redis://[:password@]host[:port][/db]`) and checks
    /// that it answers: an unreachable or refusing server is an error here, at start.
    pub(crate) fn connect(url: &Secret, prefix: &str) -> Result<RedisStore, StoreError> {
        let client = ::redis::Client::open(url.expose()).map_err(|e| {
            // The parse error may quote the URL; say what is wrong without it.
            StoreError(format!(
                "WEBEX_REDIS_URL is not a Redis URL (redis://[:password@]host[:port][/db]): {:?}",
                e.kind()
            ))
        })?;
        let server = client.get_connection_info().addr().to_string();
        let pool = r2d2::Pool::builder()
            .max_size(POOL)
            .min_idle(Some(1))
            .connection_timeout(CONNECT)
            .test_on_check_out(false)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build(Manager { client })
            .map_err(|e| StoreError(format!("cannot reach Redis at {server}: {e}")))?;
        let store = RedisStore {
            pool,
            prefix: prefix.to_owned(),
            server,
        };
        let pong: String = store.query(&::redis::cmd("PING"))?;
        if pong != "PONG" {
            return Err(StoreError(format!(
                "Redis at {} answered PING with {pong:?}",
                store.server
            )));
        }
        Ok(store)
    }

    /// `host:port` of the server.
    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    fn key(&self, kind: &str, key: &str) -> String {
        format!("{}:{kind}:{key}", self.prefix)
    }

    fn query<T: ::redis::FromRedisValue>(&self, cmd: &::redis::Cmd) -> Result<T, StoreError> {
        // A pooled connection may have died with a server that went away and came back:
        // its first use fails, it is dropped as broken, and the command is sent once more
        // on a new one. A timeout is not retried (the server may be slow, not gone).
        let mut retried = false;
        loop {
            let mut conn = self
                .pool
                .get()
                .map_err(|e| StoreError(format!("cannot reach Redis at {}: {e}", self.server)))?;
            match cmd.query(&mut *conn) {
                Ok(v) => return Ok(v),
                Err(e)
                    if !retried
                        && (e.is_connection_dropped() || e.is_io_error())
                        && !e.is_timeout() =>
                {
                    retried = true;
                }
                Err(e) => return Err(StoreError(format!("Redis at {}: {e}", self.server))),
            }
        }
    }

    /// True the first time `key` is seen by any replica within `ttl` (`SET NX PX`: one
    /// round trip, atomic in Redis).
    pub(crate) fn first(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        let set: Option<String> = self.query(
            ::redis::cmd("SET")
                .arg(self.key("seen", key))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64),
        )?;
        Ok(set.is_some())
    }

    /// Forgets `key`, so that its next delivery is handled (this one was not taken).
    pub(crate) fn forget(&self, key: &str) -> Result<(), StoreError> {
        self.query::<i64>(::redis::cmd("DEL").arg(self.key("seen", key)))
            .map(drop)
    }
}
