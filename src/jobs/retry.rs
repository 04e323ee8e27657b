//! When a bulk-push item that failed for a passing reason (ORCID busy, a network error)
//! is tried again, and when the runner stops trying.

/// After this many failed attempts (each after the client's own retries) an item fails.
pub const MAX_ATTEMPTS: i64 = 8;

/// The longest wait between two attempts, in seconds.
pub const BACKOFF_CAP_SECS: i64 = 60;

/// Seconds to wait after an item's `attempts`-th failed attempt: 2^attempts, capped.
pub fn backoff_secs(attempts: i64) -> i64 {
    if attempts <= 0 {
        return 0;
    }
    (1i64 << attempts.min(30)).min(BACKOFF_CAP_SECS)
}

/// When items that have failed `attempts` times may be tried again, from `now`.
pub fn retry_at(attempts: i64, now: i64) -> i64 {
    now.saturating_add(backoff_secs(attempts))
}

/// Whether one more failure would spend an item's last attempt.
pub fn last_attempt(attempts_so_far: i64) -> bool {
    attempts_so_far + 1 >= MAX_ATTEMPTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let waits: Vec<i64> = (0..9).map(backoff_secs).collect();
        assert_eq!(waits, [0, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff_secs(i64::MAX), BACKOFF_CAP_SECS);
        assert_eq!(retry_at(3, 1_000), 1_008);
        assert_eq!(retry_at(0, 1_000), 1_000);
    }

    #[test]
    fn the_eighth_failure_is_the_last() {
        assert!(!last_attempt(MAX_ATTEMPTS - 2));
        assert!(last_attempt(MAX_ATTEMPTS - 1));
    }
}
