//! How long stored result rows are kept and how many bytes of them one API key may hold.
//!
//! Invariant: pure policy arithmetic; never performs IO and never reads the clock itself.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use contracts::result::ResultSet;

/// Default age after which a stored result expires: 7 days (168 hours).
pub const DEFAULT_RESULT_RETENTION_HOURS: u64 = 168;

/// Default cap on the stored result bytes of one owner: 256 MiB.
pub const DEFAULT_MAX_RESULT_MIB_PER_KEY: u64 = 256;

/// At most this many expired results are deleted by one `store_result` call, so a store that
/// held a large backlog of expired rows never stalls one execution; later calls delete the rest.
pub const MAX_EXPIRED_RESULTS_DELETED_PER_STORE: u32 = 100;

/// The retention policy of stored result rows, given to a job store at construction.
///
/// A result older than `max_age` is never returned and is deleted by a later `store_result`.
/// When storing a result brings its owner's stored bytes above `max_bytes_per_owner`, that
/// owner's oldest results are deleted until the total fits; the result just stored is always
/// kept, even when it alone is larger than the cap. The owner is the job's `owner_key_id`; the
/// results of jobs without an owner (stored before owners were recorded) are capped together as
/// one group. Sizes are measured by [`stored_result_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultRetention {
    /// Age after which a stored result expires.
    pub max_age: Duration,
    /// Cap, in bytes of JSON-encoded rows, on the results one owner keeps stored.
    pub max_bytes_per_owner: u64,
}

impl ResultRetention {
    /// The policy of `retention_hours` hours and `max_mib_per_key` MiB per owner, as the
    /// `ANALYST_RESULT_RETENTION_HOURS` and `ANALYST_MAX_RESULT_MIB_PER_KEY` settings give them.
    pub fn from_hours_and_mib(retention_hours: u64, max_mib_per_key: u64) -> Self {
        ResultRetention {
            max_age: Duration::from_secs(retention_hours.saturating_mul(3600)),
            max_bytes_per_owner: max_mib_per_key.saturating_mul(1024 * 1024),
        }
    }

    /// Results stored strictly before this instant are expired at `now`; never earlier than
    /// the Unix epoch, so every store can hold the cutoff as a timestamp.
    pub fn expiry_cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        TimeDelta::from_std(self.max_age)
            .ok()
            .and_then(|max_age| now.checked_sub_signed(max_age))
            .map_or(epoch, |cutoff| cutoff.max(epoch))
    }
}

impl Default for ResultRetention {
    /// 7 days and 256 MiB per owner.
    fn default() -> Self {
        ResultRetention::from_hours_and_mib(
            DEFAULT_RESULT_RETENTION_HOURS,
            DEFAULT_MAX_RESULT_MIB_PER_KEY,
        )
    }
}

/// The size a store records for `result`: the length of its JSON encoding, in bytes.
pub fn stored_result_bytes(result: &ResultSet) -> u64 {
    serde_json::to_vec(result).map_or(0, |encoded| encoded.len() as u64)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_default_keeps_results_a_week_and_256_mib_per_key() {
        let retention = ResultRetention::default();

        assert_eq!(retention.max_age, Duration::from_secs(7 * 24 * 3600));
        assert_eq!(retention.max_bytes_per_owner, 256 * 1024 * 1024);
    }

    #[test]
    fn the_cutoff_is_max_age_before_now_and_never_overflows() {
        let now = Utc.with_ymd_and_hms(2024, 5, 8, 12, 0, 0).single().unwrap();
        let week = ResultRetention::default();
        let forever = ResultRetention {
            max_age: Duration::MAX,
            max_bytes_per_owner: 1,
        };

        assert_eq!(
            week.expiry_cutoff(now),
            Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap()
        );
        assert_eq!(forever.expiry_cutoff(now), DateTime::<Utc>::UNIX_EPOCH);
    }

    #[test]
    fn huge_settings_saturate_instead_of_wrapping() {
        let retention = ResultRetention::from_hours_and_mib(u64::MAX, u64::MAX);

        assert_eq!(retention.max_age, Duration::from_secs(u64::MAX));
        assert_eq!(retention.max_bytes_per_owner, u64::MAX);
    }
}
