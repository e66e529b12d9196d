//! [`ConnectionLimits`]: how long a client may take and how many connections it may hold, one
//! set of flags for every binary that serves the API.
//!
//! Invariant: every limit has exactly one default, here; zero is refused where it would mean
//! "close at once" and means "off" only for the per-client limit.

use std::time::Duration;

/// Descriptors left for everything but client connections (state store, datasources, uploads)
/// when the process may open fewer than the connection cap plus these.
const RESERVED_DESCRIPTORS: usize = 256;

/// Timeouts and connection caps of the HTTP server (docs/security.md, "Connections").
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ConnectionLimits {
    /// Seconds a client has to send a request's headers, counted from connecting or from the
    /// previous response; so also how long an idle keep-alive connection stays open.
    #[arg(
        long = "http-header-timeout-secs",
        env = "ANALYST_HTTP_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_timeout_secs: u64,
    /// Seconds a request may take from its headers to its response, body included (answered
    /// 408); uploads have their own limit.
    #[arg(
        long = "http-request-timeout-secs",
        env = "ANALYST_HTTP_REQUEST_TIMEOUT_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub request_timeout_secs: u64,
    /// Seconds an upload (`POST /v1/uploads`) may take, archive transfer included.
    #[arg(
        long = "http-upload-timeout-secs",
        env = "ANALYST_HTTP_UPLOAD_TIMEOUT_SECS",
        default_value_t = 1800,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub upload_timeout_secs: u64,
    /// Seconds a connection may go without a byte moving either way while none of its requests
    /// is being handled (a client that stops reading its response).
    #[arg(
        long = "http-idle-timeout-secs",
        env = "ANALYST_HTTP_IDLE_TIMEOUT_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub idle_timeout_secs: u64,
    /// Open connections at most. A new connection past it closes the longest-open connection
    /// that has no request in flight, or is refused (503) when every connection is busy.
    #[arg(
        long = "http-max-connections",
        env = "ANALYST_HTTP_MAX_CONNECTIONS",
        default_value_t = 1024,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_connections: u64,
    /// Open connections per client address at most (IPv6: per /64 prefix); past it new
    /// connections of that client are refused (503). 0 turns it off: behind a proxy or load
    /// balancer every client shares the proxy's address.
    #[arg(
        long = "http-max-connections-per-client",
        env = "ANALYST_HTTP_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 256
    )]
    pub max_connections_per_client: u64,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout_secs: 10,
            request_timeout_secs: 60,
            upload_timeout_secs: 1800,
            idle_timeout_secs: 60,
            max_connections: 1024,
            max_connections_per_client: 256,
        }
    }
}

impl ConnectionLimits {
    /// The header-read timeout.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    /// The idle timeout.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    /// The timeout of one request: the upload limit for `POST /v1/uploads`, else the request
    /// limit, in seconds.
    pub fn request_timeout_secs_for(&self, method: &axum::http::Method, path: &str) -> u64 {
        if method == axum::http::Method::POST && path.trim_end_matches('/') == "/v1/uploads" {
            self.upload_timeout_secs
        } else {
            self.request_timeout_secs
        }
    }

    /// The connection cap as a count, lowered to leave [`RESERVED_DESCRIPTORS`] free when the
    /// process's open-files limit is too low for it (accepting would fail before the cap).
    pub(crate) fn max_connections_count(&self) -> usize {
        let configured = usize::try_from(self.max_connections).unwrap_or(usize::MAX);
        let Some(open_files) = std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|limits| soft_open_files_limit(&limits))
        else {
            return configured;
        };
        let room = open_files.saturating_sub(RESERVED_DESCRIPTORS).max(1);
        if room < configured {
            tracing::warn!(
                configured,
                open_files,
                lowered = room,
                "the open-files limit is too low for the connection cap; the cap is lowered"
            );
        }
        configured.min(room)
    }

    /// The per-client cap as a count; `None` when off.
    pub(crate) fn max_connections_per_client_count(&self) -> Option<usize> {
        (self.max_connections_per_client > 0)
            .then(|| usize::try_from(self.max_connections_per_client).unwrap_or(usize::MAX))
    }
}

/// The soft "Max open files" limit in the text of `/proc/self/limits`; `None` when unlimited
/// or absent.
fn soft_open_files_limit(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{ConnectionLimits, soft_open_files_limit};

    #[test]
    fn the_soft_open_files_limit_is_read_from_proc_limits() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             unlimited            unlimited            processes \n\
                      Max open files            1024                 20000                files     \n";
        assert_eq!(soft_open_files_limit(limits), Some(1024));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(soft_open_files_limit(unlimited), None);
        assert_eq!(soft_open_files_limit(""), None);
    }

    #[derive(Debug, Parser)]
    struct Flags {
        #[command(flatten)]
        limits: ConnectionLimits,
    }

    #[test]
    fn the_flag_defaults_are_the_default_limits() {
        let flags = Flags::try_parse_from(["serve"]).unwrap();
        assert_eq!(flags.limits, ConnectionLimits::default());
    }

    #[test]
    fn zero_timeouts_and_a_zero_connection_cap_are_refused() {
        for flag in [
            "--http-header-timeout-secs=0",
            "--http-request-timeout-secs=0",
            "--http-upload-timeout-secs=0",
            "--http-idle-timeout-secs=0",
            "--http-max-connections=0",
        ] {
            assert!(Flags::try_parse_from(["serve", flag]).is_err(), "{flag}");
        }
        let off = Flags::try_parse_from(["serve", "--http-max-connections-per-client=0"]).unwrap();
        assert_eq!(off.limits.max_connections_per_client_count(), None);
    }

    #[test]
    fn uploads_get_the_upload_timeout() {
        let limits = ConnectionLimits::default();
        let post = axum::http::Method::POST;
        assert_eq!(limits.request_timeout_secs_for(&post, "/v1/uploads"), 1800);
        assert_eq!(limits.request_timeout_secs_for(&post, "/v1/questions"), 60);
        let get = axum::http::Method::GET;
        assert_eq!(limits.request_timeout_secs_for(&get, "/v1/uploads"), 60);
    }
}
