//! The read-only SQL guard: parses SQL with the target's dialect and admits exactly one
//! read-only query that calls no dangerous function and reads only permitted relations.
//!
//! Invariant: anything the guard cannot parse or classify is rejected, never admitted, and
//! no input (however long, deep or strange) makes it panic or overflow the stack.

mod cte_scope;
mod engine_reading_check;
mod function_deny_list;
mod guard_policy;
mod guard_reading;
mod guard_rejection;
mod guarded_run;
mod input_screen;
mod read_only_check;
mod relation_access;
mod table_function_allow_list;
mod token_screen;
mod work_caps;

use ports::sql_engine::Dialect;
use sqlparser::ast::Statement;
use sqlparser::dialect::{
    Dialect as ParserDialect, DuckDbDialect, GenericDialect, PostgreSqlDialect, RedshiftSqlDialect,
};
use sqlparser::parser::{Parser, ParserError};

pub use engine_reading_check::check_engine_reading;
pub use guard_policy::GuardPolicy;
pub use guard_reading::read_statement;
pub use guard_rejection::GuardRejection;
pub use guarded_run::{datasource_policy, run_guarded};
pub use input_screen::MAX_SQL_BYTES;
pub use work_caps::{MAX_GENERATED_VALUE_LEN, MAX_QUADRATIC_INPUT_CHARS};

/// Deepest nesting of parentheses, subqueries and expressions the parser accepts.
pub const MAX_NESTING_DEPTH: usize = 50;

/// Stack given to each check, in bytes (reserved address space; pages are committed only
/// when touched).
///
/// Walking and dropping the syntax tree recurses once per tree level, and an unoptimized
/// build spends about 30 KiB of stack per expression level; under the nesting and operator
/// caps the deepest tree measured needs between 8 and 16 MiB in such a build, so this
/// leaves a fourfold margin whatever stack the caller runs on.
pub(crate) const GUARD_STACK_BYTES: usize = 64 * 1024 * 1024;

/// A query the guard admitted; the only input engines should run.
///
/// Its text is the guard's own rendering of the statement it checked (the parsed syntax tree
/// printed back), never the text it was given, so a construct the engine would read
/// differently from the guard cannot survive into what the engine runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSql {
    sql: String,
}

impl CheckedSql {
    /// The admitted statement as the guard renders it, without semicolons or comments.
    pub fn as_str(&self) -> &str {
        &self.sql
    }
}

/// Checks that `sql` is exactly one read-only query in `dialect` under the default policy.
pub fn check_read_only(sql: &str, dialect: Dialect) -> Result<CheckedSql, GuardRejection> {
    check_with_policy(sql, dialect, &GuardPolicy::default())
}

/// Checks that `sql` is exactly one read-only query in `dialect` that respects `policy`.
pub fn check_with_policy(
    sql: &str,
    dialect: Dialect,
    policy: &GuardPolicy,
) -> Result<CheckedSql, GuardRejection> {
    input_screen::screen_text(sql)?;
    stacker::grow(GUARD_STACK_BYTES, || {
        check_on_own_stack(sql, dialect, policy)
    })
}

/// The checks after the text screen; runs on the stack `check_with_policy` provides.
fn check_on_own_stack(
    sql: &str,
    dialect: Dialect,
    policy: &GuardPolicy,
) -> Result<CheckedSql, GuardRejection> {
    let parser_dialect = parser_dialect(dialect);
    token_screen::screen_tokens(sql, parser_dialect)?;
    let mut statement = parse_one_statement(sql, dialect)?;
    read_only_check::check_statement(&statement, dialect, policy)?;
    work_caps::cap_work(&mut statement, dialect)?;
    let rendered = statement.to_string();
    if rendered.len() > MAX_SQL_BYTES {
        return Err(GuardRejection::TooLong {
            n_bytes: rendered.len(),
            max_bytes: MAX_SQL_BYTES,
        });
    }
    // The rendering must read back as the very statement that was checked: a printer bug that
    // changed the meaning would otherwise hand the engine a query nobody checked.
    token_screen::screen_tokens(&rendered, parser_dialect)?;
    match parse_one_statement(&rendered, dialect) {
        Ok(reparsed) if reparsed == statement => Ok(CheckedSql { sql: rendered }),
        _ => Err(GuardRejection::AmbiguousSyntax(
            "a construct that does not read back the same once printed (the guard runs only \
             its own rendering of the query)"
                .into(),
        )),
    }
}

/// Parses `sql` as exactly one statement of `dialect`.
pub(crate) fn parse_one_statement(
    sql: &str,
    dialect: Dialect,
) -> Result<Statement, GuardRejection> {
    let mut statements = Parser::new(parser_dialect(dialect))
        .with_recursion_limit(MAX_NESTING_DEPTH)
        .try_with_sql(sql)
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|err| match err {
            ParserError::RecursionLimitExceeded => {
                GuardRejection::TooDeeplyNested(format!("more than {MAX_NESTING_DEPTH} levels"))
            }
            other => GuardRejection::Unparseable(format!("{other} (dialect {})", dialect.as_str())),
        })?;
    match statements.len() {
        1 => Ok(statements.remove(0)),
        n_statements => Err(GuardRejection::NotExactlyOneStatement { n_statements }),
    }
}

/// The sqlparser dialect closest to the engine's; Athena speaks Trino, which sqlparser does
/// not model, so the permissive generic dialect parses it and the checks stay strict.
fn parser_dialect(dialect: Dialect) -> &'static dyn ParserDialect {
    match dialect {
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Redshift => &RedshiftSqlDialect {},
        Dialect::Athena => &GenericDialect {},
        Dialect::Embedded => &DuckDbDialect {},
    }
}

#[cfg(test)]
mod tests;
