//! Functions no generated query may call, per dialect: sleeping, file and network access,
//! settings, backend control, locks, sequences and other writes, and running other SQL.
//!
//! Invariant: names are compared case-insensitively, unquoted, and on their last part, so
//! schema qualification and quoting never hide a denied function.

use std::collections::BTreeSet;

use ports::sql_engine::Dialect;

/// How a rule matches a function's base name (already lowercase).
#[derive(Debug, Clone, Copy)]
enum NamePattern {
    Exact(&'static str),
    Prefix(&'static str),
    Suffix(&'static str),
    Contains(&'static str),
}

/// One denied name or family of names, with the reason given to the model.
#[derive(Debug, Clone, Copy)]
struct DenyRule {
    pattern: NamePattern,
    reason: &'static str,
}

const fn exact(name: &'static str, reason: &'static str) -> DenyRule {
    DenyRule {
        pattern: NamePattern::Exact(name),
        reason,
    }
}

const fn prefix(name: &'static str, reason: &'static str) -> DenyRule {
    DenyRule {
        pattern: NamePattern::Prefix(name),
        reason,
    }
}

const SLEEPS: &str = "it makes the database wait";
const FILES: &str = "it reads or writes files on the database server";
const NETWORK: &str = "it connects to other servers";
const SETTINGS: &str = "it reads or changes server settings";
const BACKENDS: &str = "it controls other sessions or the server";
const LOCKS: &str = "it takes locks";
const WRITES: &str = "it writes (sequences, transaction ids, notifications)";
const DYNAMIC_SQL: &str = "it runs SQL given as text";
const SECRETS: &str = "it exposes secrets, credentials or other sessions' activity";
const ENGINE_STATE: &str =
    "it exposes the engine's own state (settings, logs, server paths, memory, extensions)";
const INTERNAL: &str = "it is internal to the engine's own plans";
const LOGGING: &str = "it switches logging or profiling on or writes to the engine's log";

/// Rules for every dialect.
const UNIVERSAL_RULES: &[DenyRule] = &[
    exact("sleep", SLEEPS),
    exact("sleep_ms", SLEEPS),
    exact("benchmark", SLEEPS),
    exact("load_file", FILES),
    exact("xp_cmdshell", BACKENDS),
];

/// PostgreSQL rules; Redshift and DuckDB implement many of the same names.
const POSTGRES_RULES: &[DenyRule] = &[
    prefix("pg_sleep", SLEEPS),
    exact("pg_read_file", FILES),
    exact("pg_read_binary_file", FILES),
    exact("pg_stat_file", FILES),
    prefix("pg_ls_", FILES),
    prefix("pg_file_", FILES),
    exact("pg_logdir_ls", FILES),
    exact("pg_current_logfile", FILES),
    prefix("lo_", FILES),
    exact("loread", FILES),
    exact("lowrite", FILES),
    prefix("dblink", NETWORK),
    exact("set_config", SETTINGS),
    exact("current_setting", SETTINGS),
    prefix("pg_show_all_", SETTINGS),
    exact("pg_hba_file_rules", SECRETS),
    exact("pg_ident_file_mappings", SECRETS),
    exact("pg_stat_get_activity", SECRETS),
    prefix("pg_stat_statements", SECRETS),
    exact("pg_terminate_backend", BACKENDS),
    exact("pg_cancel_backend", BACKENDS),
    exact("pg_reload_conf", BACKENDS),
    exact("pg_rotate_logfile", BACKENDS),
    exact("pg_promote", BACKENDS),
    exact("pg_switch_wal", BACKENDS),
    exact("pg_create_restore_point", BACKENDS),
    prefix("pg_backup_", BACKENDS),
    exact("pg_start_backup", BACKENDS),
    exact("pg_stop_backup", BACKENDS),
    prefix("pg_wal_replay_", BACKENDS),
    prefix("pg_create_", BACKENDS),
    prefix("pg_drop_", BACKENDS),
    prefix("pg_copy_", BACKENDS),
    prefix("pg_replication_", BACKENDS),
    prefix("pg_logical_", BACKENDS),
    prefix("pg_stat_reset", BACKENDS),
    exact("pg_log_backend_memory_contexts", BACKENDS),
    exact("pg_import_system_collations", BACKENDS),
    exact("pg_export_snapshot", BACKENDS),
    exact("pg_prewarm", BACKENDS),
    exact("pg_truncate_visibility_map", BACKENDS),
    prefix("binary_upgrade_", BACKENDS),
    prefix("pg_advisory_", LOCKS),
    prefix("pg_try_advisory_", LOCKS),
    exact("nextval", WRITES),
    exact("setval", WRITES),
    exact("txid_current", WRITES),
    exact("pg_current_xact_id", WRITES),
    exact("pg_notify", WRITES),
    DenyRule {
        pattern: NamePattern::Contains("_to_xml"),
        reason: DYNAMIC_SQL,
    },
];

/// Redshift-only rules.
const REDSHIFT_RULES: &[DenyRule] = &[
    exact("pg_get_iam_role_by_user", SECRETS),
    exact("pg_get_session_roles", SECRETS),
];

/// DuckDB rules: file, network and extension access, and SQL given as text.
const DUCKDB_RULES: &[DenyRule] = &[
    prefix("read_", FILES),
    exact("glob", FILES),
    exact("sniff_csv", FILES),
    prefix("parquet_", FILES),
    DenyRule {
        pattern: NamePattern::Suffix("_scan"),
        reason: FILES,
    },
    prefix("iceberg_", FILES),
    prefix("delta_", FILES),
    exact("getenv", SECRETS),
    prefix("duckdb_", ENGINE_STATE),
    prefix("pragma_", ENGINE_STATE),
    exact("which_secret", SECRETS),
    exact("set_variable", SETTINGS),
    exact("enable_logging", LOGGING),
    exact("disable_logging", LOGGING),
    exact("truncate_duckdb_logs", LOGGING),
    exact("write_log", LOGGING),
    exact("enable_profiling", LOGGING),
    exact("disable_profiling", LOGGING),
    exact("checkpoint", WRITES),
    exact("force_checkpoint", WRITES),
    prefix("http_", NETWORK),
    prefix("httpfs", NETWORK),
    exact("load_aws_credentials", SECRETS),
    prefix("sqlite_", NETWORK),
    prefix("postgres_", NETWORK),
    prefix("mysql_", NETWORK),
    exact("query", DYNAMIC_SQL),
    exact("query_table", DYNAMIC_SQL),
    exact("json_execute_serialized_sql", DYNAMIC_SQL),
    exact("json_serialize_sql", DYNAMIC_SQL),
    exact("json_serialize_plan", DYNAMIC_SQL),
    exact("json_deserialize_sql", DYNAMIC_SQL),
    prefix("__internal", INTERNAL),
];

/// Trino (Athena) rules; `system`-qualified functions are handled by [`denial_reason`].
const TRINO_RULES: &[DenyRule] = &[
    exact("query", DYNAMIC_SQL),
    exact("raw_query", DYNAMIC_SQL),
    exact("exclude_columns", DYNAMIC_SQL),
];

const TRINO_SYSTEM: &str = "Trino's system procedures and table functions manage the cluster \
     or pass SQL through to other databases";

/// Why `name_parts` (the function's name, each part unquoted) is denied in `dialect`, or
/// `None` when it may be called.
pub(crate) fn denial_reason(
    name_parts: &[String],
    dialect: Dialect,
    extra_denied: &BTreeSet<String>,
) -> Option<&'static str> {
    let base_name = name_parts.last()?.to_lowercase();
    if extra_denied.contains(&base_name) {
        return Some("the datasource denies it");
    }
    let is_system_qualified = name_parts.len() > 1
        && name_parts
            .first()
            .is_some_and(|first| first.eq_ignore_ascii_case("system"));
    if dialect == Dialect::Athena && is_system_qualified {
        return Some(TRINO_SYSTEM);
    }
    rules_for(dialect)
        .iter()
        .flat_map(|rules| rules.iter())
        .find(|rule| matches_pattern(rule.pattern, &base_name))
        .map(|rule| rule.reason)
}

fn rules_for(dialect: Dialect) -> [&'static [DenyRule]; 3] {
    match dialect {
        Dialect::Postgres => [UNIVERSAL_RULES, POSTGRES_RULES, &[]],
        Dialect::Redshift => [UNIVERSAL_RULES, POSTGRES_RULES, REDSHIFT_RULES],
        Dialect::Embedded => [UNIVERSAL_RULES, POSTGRES_RULES, DUCKDB_RULES],
        Dialect::Athena => [UNIVERSAL_RULES, TRINO_RULES, &[]],
    }
}

fn matches_pattern(pattern: NamePattern, base_name: &str) -> bool {
    match pattern {
        NamePattern::Exact(name) => base_name == name,
        NamePattern::Prefix(name) => base_name.starts_with(name),
        NamePattern::Suffix(name) => base_name.ends_with(name),
        NamePattern::Contains(name) => base_name.contains(name),
    }
}
