//! [`KeyRateLimiter`]: a token bucket per API key, so one client cannot starve the others.
//!
//! Invariant: a request over the limit is refused before any handler runs, with the number of
//! seconds after which one more request will be admitted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most; the longest-idle half is forgotten beyond this (a forgotten key starts
/// again with a full bucket, which only ever errs on the side of admitting).
const MAX_TRACKED_KEYS: usize = 10_000;

/// Requests per minute per key, with bursts up to the same number.
#[derive(Debug)]
pub struct KeyRateLimiter {
    capacity: f64,
    refill_per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl KeyRateLimiter {
    /// A limiter admitting `per_minute` requests per minute per key (at least 1).
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        KeyRateLimiter {
            capacity: per_minute,
            refill_per_second: per_minute / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key_id`; `Err(wait)` when the bucket is empty.
    pub fn admit(&self, key_id: &str) -> Result<(), Duration> {
        self.admit_at(key_id, Instant::now())
    }

    fn admit_at(&self, key_id: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_KEYS && !buckets.contains_key(key_id) {
            forget_idle_half(&mut buckets);
        }
        let bucket = buckets.entry(key_id.to_owned()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.refill_per_second).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.tokens;
        Err(Duration::from_secs_f64(missing / self.refill_per_second))
    }
}

fn forget_idle_half(buckets: &mut HashMap<String, Bucket>) {
    let mut by_age: Vec<(String, Instant)> = buckets
        .iter()
        .map(|(key_id, bucket)| (key_id.clone(), bucket.updated))
        .collect();
    by_age.sort_by_key(|(_, updated)| *updated);
    for (key_id, _) in by_age.into_iter().take(buckets.len() / 2) {
        buckets.remove(&key_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_up_to_the_capacity_passes_then_the_wait_is_told() {
        let limiter = KeyRateLimiter::per_minute(3);
        let start = Instant::now();

        let admitted: Vec<bool> = (0..4)
            .map(|_| limiter.admit_at("k", start).is_ok())
            .collect();
        let wait = limiter.admit_at("k", start).unwrap_err();

        assert_eq!(admitted, [true, true, true, false]);
        assert_eq!(wait.as_secs(), 20, "3 per minute refills one token in 20 s");
        assert!(
            limiter.admit_at("other", start).is_ok(),
            "keys are independent"
        );
        assert!(
            limiter
                .admit_at("k", start + Duration::from_secs(20))
                .is_ok()
        );
    }
}
