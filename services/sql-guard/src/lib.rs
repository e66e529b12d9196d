//! The read-only SQL guard: parses SQL with the target's dialect and admits exactly one
//! read-only query.
//!
//! Invariant: anything the guard cannot parse or classify is rejected, never admitted.

mod function_deny_list;
mod read_only_check;

use ports::sql_engine::Dialect;
use sqlparser::dialect::{DuckDbDialect, GenericDialect, PostgreSqlDialect, RedshiftSqlDialect};
use sqlparser::parser::Parser;

pub use read_only_check::GuardRejection;

/// Longest SQL text the guard accepts, in bytes.
pub const MAX_SQL_BYTES: usize = 100_000;

/// A query the guard admitted; the only input engines should run.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSql {
    sql: String,
}

impl CheckedSql {
    /// The admitted SQL text, without a trailing semicolon.
    pub fn as_str(&self) -> &str {
        &self.sql
    }
}

/// Checks that `sql` is exactly one read-only query in `dialect`.
pub fn check_read_only(sql: &str, dialect: Dialect) -> Result<CheckedSql, GuardRejection> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(GuardRejection::TooLong {
            n_bytes: sql.len(),
            max_bytes: MAX_SQL_BYTES,
        });
    }
    let statements = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Redshift => Parser::parse_sql(&RedshiftSqlDialect {}, sql),
        Dialect::Athena => Parser::parse_sql(&GenericDialect {}, sql),
        Dialect::Embedded => Parser::parse_sql(&DuckDbDialect {}, sql),
    }
    .map_err(|err| GuardRejection::Unparseable(err.to_string()))?;
    let [statement] = statements.as_slice() else {
        return Err(GuardRejection::NotExactlyOneStatement {
            n_statements: statements.len(),
        });
    };
    read_only_check::check_statement(statement)?;
    let trimmed = sql.trim().trim_end_matches(';').trim_end();
    Ok(CheckedSql {
        sql: trimmed.to_owned(),
    })
}

#[cfg(test)]
mod tests;
