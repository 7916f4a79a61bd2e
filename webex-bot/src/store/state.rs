//! Handlers' per-room and per-person state on Redis: a JSON value per key, with an
//! expiry, and an atomic read-modify-write (WATCH, then MULTI/EXEC, again on a conflict).

use std::time::Duration;

use super::redis::{RedisStore, StoreError};

/// Conflicting writes after which an update gives up.
const MAX_TRIES: usize = 64;

impl RedisStore {
    fn state_key(&self, key: &str) -> String {
        self.key("state", key)
    }

    /// The value at `key`, if any.
    pub(crate) fn state_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.query(::redis::cmd("GET").arg(self.state_key(key)))
    }

    /// Sets `key` to `value` for `ttl`, or deletes it when `value` is `None`.
    pub(crate) fn state_put(
        &self,
        key: &str,
        value: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        match value {
            Some(v) => self.query::<()>(
                ::redis::cmd("SET")
                    .arg(self.state_key(key))
                    .arg(v)
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64),
            ),
            None => self.query::<()>(::redis::cmd("DEL").arg(self.state_key(key))),
        }
    }

    /// Replaces the value at `key` with what `f` makes of it, atomically: if another
    /// replica wrote it meanwhile, `f` runs again on the new value.
    pub(crate) fn state_update<R>(
        &self,
        key: &str,
        ttl: Duration,
        mut f: impl FnMut(Option<String>) -> (Option<String>, R),
    ) -> Result<R, StoreError> {
        let k = self.state_key(key);
        let ms = ttl.as_millis().max(1) as u64;
        let mut out = None;
        self.with_connection(|c| {
            for _ in 0..MAX_TRIES {
                ::redis::cmd("WATCH").arg(&k).query::<()>(c)?;
                let old: Option<String> = ::redis::cmd("GET").arg(&k).query(c)?;
                let (new, r) = f(old);
                let mut pipe = ::redis::pipe();
                pipe.atomic();
                match &new {
                    Some(v) => pipe.cmd("SET").arg(&k).arg(v).arg("PX").arg(ms).ignore(),
                    None => pipe.cmd("DEL").arg(&k).ignore(),
                };
                // EXEC answers nil when a watched key changed: then again.
                let done: Option<()> = pipe.query(c)?;
                if done.is_some() {
                    out = Some(r);
                    return Ok(());
                }
            }
            let _ = ::redis::cmd("UNWATCH").query::<()>(c);
            Ok(())
        })?;
        out.ok_or_else(|| {
            StoreError(format!(
                "Redis at {}: the state {key:?} changed under {MAX_TRIES} updates in a row",
                self.server()
            ))
        })
    }
}
