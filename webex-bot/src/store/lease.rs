//! Leases: a named role held by one replica at a time (registering the webhooks, a
//! periodic job). A lease is a key holding its holder's name with an expiry; the holder
//! renews it, and when the holder dies the key expires and another replica takes it.

use std::time::Duration;

use super::redis::{RedisStore, StoreError};

static ACQUIRE: std::sync::LazyLock<::redis::Script> =
    std::sync::LazyLock::new(|| ::redis::Script::new(ACQUIRE_LUA));
static RELEASE: std::sync::LazyLock<::redis::Script> =
    std::sync::LazyLock::new(|| ::redis::Script::new(RELEASE_LUA));

/// Taken when free, renewed when already ours, else refused.
const ACQUIRE_LUA: &str = r#"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"#;

/// Deleted only by its holder.
const RELEASE_LUA: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

impl RedisStore {
    /// Takes (or renews) the lease `name` for `holder`, for `ttl`; whether `holder` has
    /// it now.
    pub(crate) fn acquire(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let got: i64 = self.script(
            ACQUIRE
                .key(self.key("lease", name))
                .arg(holder)
                .arg(ttl.as_millis().max(1) as u64),
        )?;
        Ok(got == 1)
    }

    /// Gives the lease `name` up, if `holder` has it.
    pub(crate) fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.script::<i64>(RELEASE.key(self.key("lease", name)).arg(holder))
            .map(drop)
    }

    /// Deletes `key` of kind `kind` if it holds `value` (a conversation withdrawn by the
    /// replica that registered it).
    pub(super) fn delete_if(&self, kind: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.script::<i64>(RELEASE.key(self.key(kind, key)).arg(value))
            .map(drop)
    }
}
