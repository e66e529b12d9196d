//! Decides whether a query may read a relation: system relations that hold secrets or other
//! sessions' data are always refused, and the datasource's allow-list, when set, admits only
//! the relations it names.
//!
//! Invariant: decisions use the unquoted, lowercased name parts, so quoting or case never
//! changes the outcome.

use std::collections::BTreeSet;

use ports::sql_engine::Dialect;

use crate::guard_policy::GuardPolicy;
use crate::guard_rejection::GuardRejection;

const CATALOG_SECRETS: &str = "it is a system catalog holding credentials, server configuration \
     or other sessions' queries";

/// Relations refused in every dialect, by their last name part.
const SECRET_RELATIONS: &[&str] = &[
    // PostgreSQL.
    "pg_authid",
    "pg_shadow",
    "pg_user_mapping",
    "pg_user_mappings",
    "pg_hba_file_rules",
    "pg_ident_file_mappings",
    "pg_file_settings",
    "pg_settings",
    "pg_stat_activity",
    "pg_stat_statements",
    "pg_statistic",
    "pg_largeobject",
    "pg_subscription",
    // Redshift.
    "pg_user_info",
    "stl_query",
    "stl_querytext",
    "stl_ddltext",
    "stl_utilitytext",
    "stl_connection_log",
    "stl_userlog",
    "svl_statementtext",
    "svl_qlog",
    "stv_inflight",
    "stv_recents",
    "sys_query_history",
    "sys_query_text",
];

/// Prefixes of DuckDB's built-in views over its own state (`duckdb_settings`, `duckdb_logs`,
/// `duckdb_databases`, `pragma_database_list`, ...): settings, other sessions' logged SQL and
/// absolute server paths.
const DUCKDB_SYSTEM_PREFIXES: &[&str] = &["duckdb_", "pragma_"];

const DUCKDB_SYSTEM: &str = "it is one of DuckDB's views of its own state (settings, logs, \
     server paths)";

/// Name endings DuckDB's replacement scans read as a file (`FROM secret.csv`).
const FILE_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "txt", "parquet", "json", "jsonl", "ndjson", "gz", "zst", "xlsx", "xls", "arrow",
    "ipc", "feather", "avro", "orc", "db", "duckdb", "sqlite", "sqlite3", "blob",
];

/// Longest allow-list text put into a rejection message, in characters.
const MAX_ALLOWED_TEXT_CHARS: usize = 600;

/// Checks one relation reference; `name_parts` are unquoted and `display_name` is how the
/// query wrote it.
pub(crate) fn check_relation(
    name_parts: &[String],
    display_name: &str,
    dialect: Dialect,
    policy: &GuardPolicy,
    is_cte_reference: bool,
) -> Result<(), GuardRejection> {
    let lowered: Vec<String> = name_parts.iter().map(|part| part.to_lowercase()).collect();
    let base_name = lowered.last().map(String::as_str).unwrap_or_default();
    if SECRET_RELATIONS.contains(&base_name) {
        return Err(GuardRejection::DeniedRelation {
            name: display_name.to_owned(),
            reason: CATALOG_SECRETS.to_owned(),
        });
    }
    if lowered.iter().any(|part| looks_like_a_path(part)) {
        return Err(GuardRejection::DeniedRelation {
            name: display_name.to_owned(),
            reason: "it looks like a file path or URL, which some engines read as a file"
                .to_owned(),
        });
    }
    if dialect == Dialect::Embedded {
        check_duckdb_relation(&lowered, display_name)?;
    }
    if dialect == Dialect::Athena && lowered.len() > 1 && lowered[0] == "system" {
        return Err(GuardRejection::DeniedRelation {
            name: display_name.to_owned(),
            reason: "it is Trino's system catalog, which exposes the cluster and other users' \
                     queries"
                .to_owned(),
        });
    }
    if is_cte_reference {
        return Ok(());
    }
    let Some(allowed_relations) = policy.allowed_relations() else {
        return Ok(());
    };
    let is_allowed = allowed_relations.iter().any(|entry| {
        let entry_parts: Vec<&str> = entry.split('.').collect();
        entry_parts.len() >= lowered.len()
            && entry_parts[entry_parts.len() - lowered.len()..]
                .iter()
                .zip(&lowered)
                .all(|(entry_part, part)| *entry_part == part.as_str())
    });
    if is_allowed {
        return Ok(());
    }
    Err(GuardRejection::RelationNotAllowed {
        name: display_name.to_owned(),
        allowed: allowed_text(allowed_relations),
    })
}

/// DuckDB's own views and dotted names its replacement scans would read as files.
fn check_duckdb_relation(lowered: &[String], display_name: &str) -> Result<(), GuardRejection> {
    let base_name = lowered.last().map(String::as_str).unwrap_or_default();
    if DUCKDB_SYSTEM_PREFIXES
        .iter()
        .any(|prefix| base_name.starts_with(prefix))
    {
        return Err(GuardRejection::DeniedRelation {
            name: display_name.to_owned(),
            reason: DUCKDB_SYSTEM.to_owned(),
        });
    }
    if lowered.len() > 1 && FILE_EXTENSIONS.contains(&base_name) {
        return Err(GuardRejection::DeniedRelation {
            name: display_name.to_owned(),
            reason: "read as a whole, the dotted name is a file name, which DuckDB would read \
                     from the server's disk"
                .to_owned(),
        });
    }
    Ok(())
}

/// `true` for a name part that an engine could take for a file: it holds a path separator,
/// a URL scheme or drive colon, or a dot (only a quoted identifier can).
fn looks_like_a_path(part: &str) -> bool {
    part.contains(['/', '\\', ':', '.', '*', '?'])
}

fn allowed_text(allowed_relations: &BTreeSet<String>) -> String {
    if allowed_relations.is_empty() {
        return "no tables (the allow-list is empty)".to_owned();
    }
    let mut text = String::new();
    for (relation_idx, relation) in allowed_relations.iter().enumerate() {
        if text.len() + relation.len() > MAX_ALLOWED_TEXT_CHARS {
            let n_more = allowed_relations.len() - relation_idx;
            text.push_str(&format!(", and {n_more} more"));
            break;
        }
        if relation_idx > 0 {
            text.push_str(", ");
        }
        text.push_str(relation);
    }
    text
}
