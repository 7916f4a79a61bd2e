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

/// Whether a worker may answer the entry it handles ([`RedisStore::mark_if_mine`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Still this consumer's: the mark is set and the entry's idle time starts again.
    Marked,
    /// Another replica claimed it meanwhile, or it was acknowledged: not to be answered
    /// here.
    NotMine,
    /// Redis holds no consumer group (it restarted without its data): nothing to check
    /// against, the event is answered without a mark.
    NoGroup,
}

/// Sets the mark only while the entry is pending for the caller, and restarts its idle
/// time in the same step: a replica claiming it afterwards finds the mark, and one that
/// claimed it before makes this answer `not mine`.
static MARK: std::sync::LazyLock<::redis::Script> =
    std::sync::LazyLock::new(|| ::redis::Script::new(MARK_LUA));

const MARK_LUA: &str = r#"
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if type(p) == 'table' and p.err then
  if string.find(p.err, 'NOGROUP') then return 'nogroup' end
  return redis.error_reply(p.err)
end
if (not p[1]) or p[1][2] ~= ARGV[2] then return 'not mine' end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 'marked'
"#;

/// Restarts the idle time of those of the given entries still pending for the caller
/// (a heartbeat must not take back an entry another replica claimed).
static TOUCH: std::sync::LazyLock<::redis::Script> =
    std::sync::LazyLock::new(|| ::redis::Script::new(TOUCH_LUA));

const TOUCH_LUA: &str = r#"
local kept = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept
"#;

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

    /// Notes that the entry `id`, pending for `consumer`, is being answered (its first
    /// reply, described by `mark`, is about to go), for `ttl`: a replica that claims it
    /// after this worker died looks for that reply before answering again. Done only
    /// while the entry is still `consumer`'s (see [`Mark`]).
    pub(crate) fn mark_if_mine(
        &self,
        consumer: &str,
        id: &str,
        mark: &str,
        ttl: Duration,
    ) -> Result<Mark, StoreError> {
        let said: String = self.script(
            MARK.key(self.stream())
                .key(self.key("answering", id))
                .arg(GROUP)
                .arg(consumer)
                .arg(id)
                .arg(mark)
                .arg(ttl.as_millis().max(1) as u64),
        )?;
        match said.as_str() {
            "marked" => Ok(Mark::Marked),
            "not mine" => Ok(Mark::NotMine),
            "nogroup" => Ok(Mark::NoGroup),
            other => Err(StoreError(format!(
                "unexpected answer from the mark script: {other}"
            ))),
        }
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

    /// Tells the group that `consumer` still works on those of `ids` still pending for it
    /// (their idle time starts again), so that a long handler's event is not claimed by
    /// another replica; one another replica claimed meanwhile stays that replica's.
    pub(crate) fn touch(&self, consumer: &str, ids: &[String]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut call = TOUCH.key(self.stream());
        call.arg(GROUP).arg(consumer);
        for id in ids {
            call.arg(id);
        }
        self.script::<u64>(&mut call).map(drop)
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
