use std::time::Duration;

/// When and how long the client waits before sending a request again.
///
/// - A `429` (and a `503` or `423` carrying `Retry-After`) means Webex did not process the
///   request, so any request, a `POST` included, is sent again after the server's
///   `Retry-After`. A missing or malformed value waits [`default_retry_after`](Self::default_retry_after);
///   `0` waits one second; any value is capped at [`max_retry_after`](Self::max_retry_after).
/// - Other `5xx` answers and connection errors are retried with jittered exponential backoff,
///   for idempotent requests only (`GET`, `HEAD`, `PUT`, `DELETE`): a `POST` or `PATCH`
///   is never sent twice, because Webex may have acted on it.
/// - No more than [`max_attempts`](Self::max_attempts) sends in all, and no more than
///   [`max_total_wait`](Self::max_total_wait) spent waiting; past either the last error
///   is returned.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use webex_bot::client::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .max_total_wait(Duration::from_secs(30));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_total_wait: Duration,
    max_retry_after: Duration,
    default_retry_after: Duration,
    backoff_base: Duration,
    backoff_max: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 60 s of waiting in all, `Retry-After` capped at 60 s and 15 s when
    /// missing, backoff from 250 ms doubling up to 8 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
            default_retry_after: Duration::from_secs(15),
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every error is returned at once.
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// assert_eq!(RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// How many sends in all, the first included (default 4; at least 1).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The most time spent waiting between sends of one call (default 60 s).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// # use std::time::Duration;
    /// let p = RetryPolicy::default().max_total_wait(Duration::from_secs(5));
    /// ```
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// The cap on one `Retry-After` wait (default 60 s).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// # use std::time::Duration;
    /// let p = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
    /// ```
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The wait when a 429 has no usable `Retry-After` (default 15 s).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// # use std::time::Duration;
    /// let p = RetryPolicy::default().default_retry_after(Duration::from_secs(5));
    /// ```
    pub fn default_retry_after(mut self, wait: Duration) -> Self {
        self.default_retry_after = wait;
        self
    }

    /// The first backoff after a 5xx or connection error, doubled each time up to
    /// [`backoff_max`](Self::backoff_max) (default 250 ms).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// # use std::time::Duration;
    /// let p = RetryPolicy::default().backoff_base(Duration::from_millis(10));
    /// ```
    pub fn backoff_base(mut self, wait: Duration) -> Self {
        self.backoff_base = wait;
        self
    }

    /// The longest backoff (default 8 s).
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// # use std::time::Duration;
    /// let p = RetryPolicy::default().backoff_max(Duration::from_secs(1));
    /// ```
    pub fn backoff_max(mut self, wait: Duration) -> Self {
        self.backoff_max = wait;
        self
    }

    /// How many sends in all this policy allows.
    ///
    /// ```
    /// # use webex_bot::client::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().attempts(), 4);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before send number `attempt + 1`, or `None` to give up.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        waited: Duration,
        failure: Failure,
        idempotent: bool,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match failure {
            Failure::NotProcessed { retry_after } => match retry_after {
                RetryAfter::Missing => self.default_retry_after,
                RetryAfter::Given(d) => d.max(Duration::from_secs(1)),
            }
            .min(self.max_retry_after),
            Failure::ServerError | Failure::Transport if idempotent => self.backoff(attempt),
            Failure::ServerError | Failure::Transport | Failure::Final => return None,
        };
        (waited + wait <= self.max_total_wait).then_some(wait)
    }

    /// Full jitter: a random wait between half and all of the exponential step.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.backoff_max);
        let half = step / 2;
        half + half.mul_f64(crate::util::random_fraction())
    }
}

/// What a failed send tells about retrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429, or 503/423 with `Retry-After`: the server did not act on the request.
    NotProcessed { retry_after: RetryAfter },
    /// Another 5xx: the server may have acted.
    ServerError,
    /// No answer.
    Transport,
    /// Not worth retrying (4xx).
    Final,
}

/// A parsed `Retry-After` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryAfter {
    Missing,
    Given(Duration),
}

impl RetryAfter {
    /// Parses delta-seconds, tolerating spaces and fractions; anything else is `Missing`.
    /// (Webex sends whole seconds; HTTP dates are not used by it.)
    pub(crate) fn parse(value: Option<&str>) -> RetryAfter {
        value
            .map(str::trim)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| RetryAfter::Given(Duration::from_secs_f64(s.min(86_400.0))))
            .unwrap_or(RetryAfter::Missing)
    }

    pub(crate) fn duration(self) -> Option<Duration> {
        match self {
            RetryAfter::Missing => None,
            RetryAfter::Given(d) => Some(d),
        }
    }
}

/// Classifies an error status for the retry policy.
pub(crate) fn classify(status: u16, retry_after: RetryAfter) -> Failure {
    match (status, retry_after) {
        (429, r) => Failure::NotProcessed { retry_after: r },
        (503 | 423, RetryAfter::Given(_)) => Failure::NotProcessed { retry_after },
        (500..=599, _) => Failure::ServerError,
        _ => Failure::Final,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn retry_after_parsing_tolerates_junk() {
        assert_eq!(RetryAfter::parse(Some("3")), RetryAfter::Given(S(3)));
        assert_eq!(RetryAfter::parse(Some(" 2 ")), RetryAfter::Given(S(2)));
        assert_eq!(
            RetryAfter::parse(Some("1.5")),
            RetryAfter::Given(Duration::from_millis(1500))
        );
        assert_eq!(RetryAfter::parse(Some("soon")), RetryAfter::Missing);
        assert_eq!(RetryAfter::parse(Some("-4")), RetryAfter::Missing);
        assert_eq!(RetryAfter::parse(Some("NaN")), RetryAfter::Missing);
        assert_eq!(RetryAfter::parse(None), RetryAfter::Missing);
        assert_eq!(
            RetryAfter::parse(Some("1e12")),
            RetryAfter::Given(S(86_400))
        );
    }

    #[test]
    fn rate_limits_are_retried_for_every_method_with_capped_waits() {
        let p = RetryPolicy::default();
        let f = |r| classify(429, r);
        assert_eq!(
            p.next_wait(1, S(0), f(RetryAfter::Given(S(2))), false),
            Some(S(2))
        );
        assert_eq!(
            p.next_wait(1, S(0), f(RetryAfter::Given(S(0))), false),
            Some(S(1))
        );
        assert_eq!(
            p.next_wait(1, S(0), f(RetryAfter::Missing), true),
            Some(S(15))
        );
        assert_eq!(
            p.next_wait(1, S(0), f(RetryAfter::Given(S(600))), true),
            Some(S(60))
        );
        // The total budget is respected.
        assert_eq!(
            p.next_wait(1, S(59), f(RetryAfter::Given(S(2))), true),
            None
        );
        // And so is the number of attempts.
        assert_eq!(p.next_wait(4, S(0), f(RetryAfter::Given(S(1))), true), None);
        assert_eq!(
            RetryPolicy::none().next_wait(1, S(0), f(RetryAfter::Given(S(1))), true),
            None
        );
    }

    #[test]
    fn server_errors_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default();
        assert_eq!(classify(500, RetryAfter::Missing), Failure::ServerError);
        assert_eq!(classify(503, RetryAfter::Missing), Failure::ServerError);
        assert!(matches!(
            classify(503, RetryAfter::Given(S(1))),
            Failure::NotProcessed { .. }
        ));
        assert_eq!(classify(404, RetryAfter::Given(S(1))), Failure::Final);
        assert_eq!(p.next_wait(1, S(0), Failure::ServerError, false), None);
        assert_eq!(p.next_wait(1, S(0), Failure::Transport, false), None);
        assert_eq!(p.next_wait(1, S(0), Failure::Final, true), None);
        for attempt in 1..4 {
            let w = p
                .next_wait(attempt, S(0), Failure::ServerError, true)
                .unwrap();
            let step = Duration::from_millis(250) * (1 << (attempt - 1));
            assert!(w >= step / 2 && w <= step, "attempt {attempt}: {w:?}");
        }
    }
}
