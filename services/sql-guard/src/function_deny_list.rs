//! Functions no generated query may call: sleeping, file and network access, settings, and
//! backend control.
//!
//! Invariant: names are compared case-insensitively and without schema qualification.

const DENIED_FUNCTIONS: &[&str] = &[
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "lo_import",
    "lo_export",
    "lo_get",
    "lo_put",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "set_config",
    "current_setting",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_promote",
    "copy",
    "read_csv",
    "read_csv_auto",
    "read_parquet",
    "read_json",
    "read_json_auto",
    "read_text",
    "read_blob",
    "glob",
    "sniff_csv",
    "parquet_scan",
    "parquet_metadata",
    "getenv",
    "duckdb_secrets",
    "http_get",
    "sleep",
];

/// `true` when the function name (possibly schema-qualified) is denied.
pub(crate) fn is_denied(function_name: &str) -> bool {
    let base_name = function_name.rsplit('.').next().unwrap_or(function_name);
    let base_name = base_name.trim_matches('"').to_ascii_lowercase();
    DENIED_FUNCTIONS.contains(&base_name.as_str())
}
