//! Retry policy: which failures are retried, and how long to wait in between.

use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often failed requests are retried.
///
/// Retried: connection failures (for every method, since the request never left), and — for
/// idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) only, unless
/// [`retry_non_idempotent`](Self::retry_non_idempotent) is set — other transport failures
/// (timeouts, reset connections, bodies cut short) and the statuses 429, 502, 503 and 504.
/// A connection failure after a redirect counts as one of those: the server has seen the
/// request (a 303 may mean a POST was done). The same holds for sending a request again after
/// a 401 with a renewed token: after a redirect, only if the method may be repeated. A body
/// larger than [`ClientBuilder::max_body_size`](super::ClientBuilder::max_body_size) and a
/// redirect not followed are never retried.
///
/// The delay grows exponentially from [`initial_backoff`](Self::initial_backoff) up to
/// [`max_backoff`](Self::max_backoff), with random jitter (between half and all of the
/// computed delay). A `Retry-After` header (delay in seconds, or an HTTP date) replaces the
/// computed delay. No retry is made past [`max_attempts`](Self::max_attempts) attempts, or when
/// waiting would end later than [`max_elapsed`](Self::max_elapsed) after the first attempt
/// started; the last error is returned then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, 60 s in total, backoff from 250 ms up to 8 s, idempotent methods only.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every request is attempted exactly once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total number of attempts, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Upper bound on the time from the first attempt until a retry may start.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// Delay before the first retry; it doubles for every further retry.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Upper bound of the computed (exponential) delay.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Also retry POST and PATCH requests on retryable statuses and transport failures other
    /// than connection failures. Only enable this if repeating those requests is harmless.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a request with `method` may be retried after it possibly reached the server.
    pub(crate) fn may_repeat(&self, idempotent: bool) -> bool {
        self.retry_non_idempotent || idempotent
    }

    /// The exponential delay (with jitter) before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        // "Equal jitter": half fixed, half random, so delays never collapse to zero.
        let half = base / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// Decides whether attempt number `attempt` (1-based) may be followed by another one that
    /// starts after `delay`, given `elapsed` since the first attempt.
    pub(crate) fn allows(&self, attempt: u32, elapsed: Duration, delay: Duration) -> bool {
        attempt < self.max_attempts && elapsed.saturating_add(delay) <= self.max_elapsed
    }
}

/// Methods that RFC 9110 defines as idempotent.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Statuses worth retrying: rate limiting and gateway/availability failures.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date (past dates mean "now").
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = SystemTime::from(date);
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            let d10 = p.backoff(10);
            assert!(d10 >= Duration::from_millis(500) && d10 <= Duration::from_millis(1000));
            let huge = p.backoff(u32::MAX);
            assert!(huge <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn allows_respects_attempts_and_time() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .max_elapsed(Duration::from_secs(10));
        assert!(p.allows(1, Duration::ZERO, Duration::from_secs(1)));
        assert!(p.allows(2, Duration::from_secs(5), Duration::from_secs(5)));
        assert!(!p.allows(3, Duration::ZERO, Duration::ZERO));
        assert!(!p.allows(1, Duration::from_secs(9), Duration::from_secs(2)));
        assert!(!RetryPolicy::none().allows(1, Duration::ZERO, Duration::ZERO));
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn methods() {
        let p = RetryPolicy::default();
        assert!(is_idempotent(&Method::GET) && is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST) && !is_idempotent(&Method::PATCH));
        assert!(p.may_repeat(true) && !p.may_repeat(false));
        assert!(p.clone().retry_non_idempotent(true).may_repeat(false));
    }

    #[test]
    fn retry_after_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        let future = chrono::Utc::now() + chrono::Duration::seconds(100);
        let v = future.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("")),
        );
        let d = retry_after(&h).unwrap_or_default();
        assert!(
            d > Duration::from_secs(95) && d <= Duration::from_secs(100),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
