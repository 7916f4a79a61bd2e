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

/// A pooled connection, and whether a failure showed it dead (then the pool drops it
/// instead of handing it out again).
pub(crate) struct Conn {
    inner: ::redis::Connection,
    broken: bool,
}

/// Whether `e` says the connection itself failed (not the command): worth a new one.
fn connection_failed(e: &::redis::RedisError) -> bool {
    (e.is_connection_dropped() || e.is_io_error()) && !e.is_timeout()
}

/// Makes and checks connections for the pool.
struct Manager {
    client: ::redis::Client,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = ::redis::RedisError;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let inner = self.client.get_connection_with_timeout(CONNECT)?;
        inner.set_read_timeout(Some(IO))?;
        inner.set_write_timeout(Some(IO))?;
        Ok(Conn {
            inner,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        ::redis::cmd("PING")
            .query::<String>(&mut conn.inner)
            .map(drop)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken || !::redis::ConnectionLike::is_open(&conn.inner)
    }
}

/// A bot's keys on one Redis server.
pub(crate) struct RedisStore {
    pool: r2d2::Pool<Manager>,
    /// For the dedicated connections of blocking reads.
    client: ::redis::Client,
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
            .build(Manager {
                client: client.clone(),
            })
            .map_err(|e| StoreError(format!("cannot reach Redis at {server}: {e}")))?;
        let store = RedisStore {
            pool,
            client,
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

    pub(super) fn key(&self, kind: &str, key: &str) -> String {
        format!("{}:{kind}:{key}", self.prefix)
    }

    /// A Redis error as said to the bot's logs and callers.
    pub(super) fn error(&self, e: ::redis::RedisError) -> StoreError {
        StoreError(format!("Redis at {}: {e}", self.server))
    }

    /// A connection of its own, for a thread that blocks on reads for up to `block`
    /// (a worker, the conversations' inbox): its read timeout leaves room for that.
    pub(crate) fn connection(&self, block: Duration) -> Result<::redis::Connection, StoreError> {
        let conn = self
            .client
            .get_connection_with_timeout(CONNECT)
            .map_err(|e| StoreError(format!("cannot reach Redis at {}: {e}", self.server)))?;
        conn.set_read_timeout(Some(block + IO))
            .and_then(|()| conn.set_write_timeout(Some(IO)))
            .map_err(|e| self.error(e))?;
        Ok(conn)
    }

    /// Runs a script (by its hash, loading it on the first use).
    pub(super) fn script<T: ::redis::FromRedisValue>(
        &self,
        invocation: &mut ::redis::ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.with_connection(|c| invocation.invoke(c))
    }

    pub(super) fn query<T: ::redis::FromRedisValue>(
        &self,
        cmd: &::redis::Cmd,
    ) -> Result<T, StoreError> {
        self.with_connection(|c| cmd.query(c))
    }

    /// Runs `f` on a pooled connection. Pooled connections may have died with a server
    /// that went away and came back: a connection that fails is dropped, not pooled
    /// again, and `f` runs once more on another (a few times: the pool may hold several
    /// dead ones). A timeout is not retried: the server may be slow, not gone, and the
    /// command may have been done.
    pub(super) fn with_connection<T>(
        &self,
        mut f: impl FnMut(&mut ::redis::Connection) -> ::redis::RedisResult<T>,
    ) -> Result<T, StoreError> {
        let mut tries = 0;
        loop {
            let mut conn = self
                .pool
                .get()
                .map_err(|e| StoreError(format!("cannot reach Redis at {}: {e}", self.server)))?;
            match f(&mut conn.inner) {
                Ok(v) => return Ok(v),
                Err(e) if connection_failed(&e) => {
                    conn.broken = true;
                    tries += 1;
                    if tries > 3 {
                        return Err(self.error(e));
                    }
                }
                Err(e) => return Err(self.error(e)),
            }
        }
    }
}
