//! The shared event queue: a Redis stream read by a consumer group.
//!
//! An event is taken with one script, atomic in Redis: seen before (the dedupe key
//! exists), it is a duplicate; the answer a conversation on some replica waits for, it
//! goes to that replica's inbox; else it is added to the stream. Only then does the
//! intake acknowledge it to Webex, so an acknowledged event is always in Redis. Workers of
//! every replica read the stream as one group; an entry stays pending until its worker
//! acknowledges it, and entries left pending by a replica that died are claimed by
//! another after the claim timeout.

use std::time::Duration;

use ::redis::streams::{StreamAutoClaimReply, StreamReadReply};

use super::redis::{RedisStore, StoreError};

/// The consumer group every replica's workers read as.
const GROUP: &str = "workers";

/// What became of a taken event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Taken {
    /// In the stream, for any replica's workers.
    Queued,
    /// Seen before.
    Duplicate,
    /// Handed to the replica whose conversation waits for it.
    Answered,
    /// The stream holds `cap` entries not yet handled: refused, not remembered.
    Full,
}

/// One entry read from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Its stream id, to acknowledge it.
    pub id: String,
    /// The event, as JSON.
    pub payload: Vec<u8>,
}

static TAKE: std::sync::LazyLock<::redis::Script> =
    std::sync::LazyLock::new(|| ::redis::Script::new(TAKE_LUA));

const TAKE_LUA: &str = r#"
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) == false then
  return 'duplicate'
end
if KEYS[3] ~= '' then
  local owner = redis.call('GET', KEYS[3])
  if owner then
    redis.call('DEL', KEYS[3])
    local inbox = ARGV[4] .. owner
    redis.call('RPUSH', inbox, ARGV[2])
    redis.call('PEXPIRE', inbox, ARGV[1])
    return 'answered'
  end
end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return 'full'
end
redis.call('XADD', KEYS[2], '*', 'e', ARGV[2])
return 'queued'
"#;

fn entries(ids: Vec<::redis::streams::StreamId>) -> Vec<Entry> {
    ids.into_iter()
        .filter_map(|s| {
            let payload = match s.map.get("e")? {
                ::redis::Value::BulkString(b) => b.clone(),
                ::redis::Value::SimpleString(t) => t.clone().into_bytes(),
                _ => return None,
            };
            Some(Entry { id: s.id, payload })
        })
        .collect()
}

impl RedisStore {
    fn stream(&self) -> String {
        self.key("events", "stream")
    }

    /// Keep in step with `unregister_conversation`.
    fn conversation_key(&self, room: &str, person: &str) -> String {
        self.key("conversation", &format!("{room}:{person}"))
    }

    fn inbox_prefix(&self) -> String {
        self.key("inbox", "")
    }

    /// Takes one event (see the module's text). `conversation` is the (room, person) of a
    /// message that may answer a waiting conversation.
    pub(crate) fn take(
        &self,
        key: &str,
        ttl: Duration,
        payload: &[u8],
        conversation: Option<(&str, &str)>,
        cap: usize,
    ) -> Result<Taken, StoreError> {
        let conv = conversation
            .map(|(r, p)| self.conversation_key(r, p))
            .unwrap_or_default();
        let said: String = self.script(
            TAKE.key(self.key("seen", key))
                .key(self.stream())
                .key(conv)
                .arg(ttl.as_millis().max(1) as u64)
                .arg(payload)
                .arg(cap)
                .arg(self.inbox_prefix()),
        )?;
        match said.as_str() {
            "duplicate" => Ok(Taken::Duplicate),
            "answered" => Ok(Taken::Answered),
            "full" => Ok(Taken::Full),
            "queued" => Ok(Taken::Queued),
            other => Err(StoreError(format!(
                "unexpected answer from the take script: {other}"
            ))),
        }
    }

    /// Adds an event already remembered as seen (an answer whose conversation gave up
    /// just before it came).
    pub(crate) fn requeue(&self, payload: &[u8]) -> Result<(), StoreError> {
        self.query::<String>(
            ::redis::cmd("XADD")
                .arg(self.stream())
                .arg("*")
                .arg("e")
                .arg(payload),
        )
        .map(drop)
    }

    /// Makes the consumer group if there is none (entries added before it are read).
    pub(crate) fn ensure_group(&self) -> Result<(), StoreError> {
        let made: Result<String, StoreError> = self.query(
            ::redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(self.stream())
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM"),
        );
        match made {
            Ok(_) => Ok(()),
            Err(e) if e.0.contains("BUSYGROUP") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The next entry for `consumer`, waiting up to `block` for one.
    pub(crate) fn read(
        &self,
        conn: &mut ::redis::Connection,
        consumer: &str,
        block: Duration,
    ) -> Result<Option<Entry>, StoreError> {
        let reply: Option<StreamReadReply> = ::redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(consumer)
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(block.as_millis() as u64)
            .arg("STREAMS")
            .arg(self.stream())
            .arg(">")
            .query(conn)
            .map_err(|e| self.error(e))?;
        Ok(reply
            .and_then(|r| r.keys.into_iter().next())
            .and_then(|k| entries(k.ids).into_iter().next()))
    }

    /// Acknowledges and removes a handled entry, and its answering mark (one round
    /// trip).
    pub(crate) fn ack(&self, conn: &mut ::redis::Connection, id: &str) -> Result<(), StoreError> {
        ::redis::pipe()
            .cmd("XACK")
            .arg(self.stream())
            .arg(GROUP)
            .arg(id)
            .ignore()
            .cmd("XDEL")
            .arg(self.stream())
            .arg(id)
            .ignore()
            .cmd("DEL")
            .arg(self.key("answering", id))
            .ignore()
            .query::<()>(conn)
            .map_err(|e| self.error(e))
    }

    /// Notes that the entry `id` is being answered (its first reply, described by `mark`,
    /// is about to go), for `ttl`: a replica that claims it after its worker died will
    /// look for that reply before answering again.
    pub(crate) fn mark_answering(
        &self,
        id: &str,
        mark: &str,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.query::<()>(
            ::redis::cmd("SET")
                .arg(self.key("answering", id))
                .arg(mark)
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64),
        )
    }

    /// The mark of the entry `id`, if it was being answered when its worker stopped.
    pub(crate) fn answering_mark(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.query(::redis::cmd("GET").arg(self.key("answering", id)))
    }

    /// Claims for `consumer` up to `count` entries pending longer than `idle` (their
    /// replica died, or stopped before handling them).
    pub(crate) fn claim_idle(
        &self,
        conn: &mut ::redis::Connection,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let reply: StreamAutoClaimReply = ::redis::cmd("XAUTOCLAIM")
            .arg(self.stream())
            .arg(GROUP)
            .arg(consumer)
            .arg(idle.as_millis() as u64)
            .arg("0-0")
            .arg("COUNT")
            .arg(count)
            .query(conn)
            .map_err(|e| self.error(e))?;
        Ok(entries(reply.claimed))
    }

    /// Tells the group that `consumer` still works on `ids` (their idle time starts
    /// again), so that a long handler's event is not claimed by another replica.
    pub(crate) fn touch(&self, consumer: &str, ids: &[String]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut cmd = ::redis::cmd("XCLAIM");
        cmd.arg(self.stream()).arg(GROUP).arg(consumer).arg(0);
        for id in ids {
            cmd.arg(id);
        }
        cmd.arg("JUSTID");
        self.query::<Vec<String>>(&cmd).map(drop)
    }

    /// The server's id of `conn`, to wake it from a blocking read with [`unblock`](Self::unblock).
    pub(crate) fn client_id(&self, conn: &mut ::redis::Connection) -> Result<i64, StoreError> {
        ::redis::cmd("CLIENT")
            .arg("ID")
            .query(conn)
            .map_err(|e| self.error(e))
    }

    /// Ends the blocking read of the connection `id` now (at shutdown).
    pub(crate) fn unblock(&self, id: i64) -> Result<(), StoreError> {
        self.query::<i64>(::redis::cmd("CLIENT").arg("UNBLOCK").arg(id))
            .map(drop)
    }

    /// Says that `replica` waits for the next message of `person` in `room`, for `ttl`.
    pub(crate) fn register_conversation(
        &self,
        room: &str,
        person: &str,
        replica: &str,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.query::<String>(
            ::redis::cmd("SET")
                .arg(self.conversation_key(room, person))
                .arg(replica)
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64),
        )
        .map(drop)
    }

    /// Withdraws `replica`'s conversation in `room` with `person`, if it is still its own.
    pub(crate) fn unregister_conversation(
        &self,
        room: &str,
        person: &str,
        replica: &str,
    ) -> Result<(), StoreError> {
        self.delete_if("conversation", &format!("{room}:{person}"), replica)
    }

    /// The next answer handed to `replica`'s conversations, waiting up to `block`.
    pub(crate) fn next_answer(
        &self,
        conn: &mut ::redis::Connection,
        replica: &str,
        block: Duration,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let popped: Option<(String, Vec<u8>)> = ::redis::cmd("BLPOP")
            .arg(format!("{}{replica}", self.inbox_prefix()))
            .arg(block.as_secs_f64())
            .query(conn)
            .map_err(|e| self.error(e))?;
        Ok(popped.map(|(_, v)| v))
    }
}
