//! The reasons the guard refuses a query, worded so the repair loop can hand them to a model.
//!
//! Invariant: every rejection is `InvalidInput`; a refused query is never retried unchanged.

use contracts::error::ErrorKind;

/// Why the guard refused a query; the message is fed back to the SQL generator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardRejection {
    /// The SQL text is longer than allowed.
    #[error(
        "the SQL is {n_bytes} bytes long, more than the {max_bytes} allowed; write a shorter query"
    )]
    TooLong {
        /// Length of the SQL in bytes.
        n_bytes: usize,
        /// Limit in bytes.
        max_bytes: usize,
    },
    /// A control, zero-width or bidirectional-override character.
    #[error(
        "the SQL contains the invisible or control character U+{code_point:04X} at byte {byte_offset}; write plain SQL without hidden characters"
    )]
    HiddenCharacter {
        /// Unicode scalar value of the character.
        code_point: u32,
        /// Byte offset of the character in the SQL.
        byte_offset: usize,
    },
    /// A lexical construct that engines and the guard may read differently.
    #[error("the SQL uses {0}, which is not allowed; write plain SQL")]
    AmbiguousSyntax(String),
    /// The SQL did not parse in the target dialect.
    #[error("the SQL does not parse: {0}")]
    Unparseable(String),
    /// The SQL nests deeper (or chains more operators) than the guard can check safely.
    #[error(
        "the SQL is nested or chained too deeply ({0}); flatten nested parentheses and subqueries or use CTEs"
    )]
    TooDeeplyNested(String),
    /// Zero or several statements.
    #[error(
        "exactly one statement is allowed, found {n_statements}; send a single SELECT without other statements"
    )]
    NotExactlyOneStatement {
        /// Statements found.
        n_statements: usize,
    },
    /// The statement is not a query (DDL, DML, SET, COPY, transaction control, ...).
    #[error("only read-only SELECT queries are allowed, found {0}")]
    NotAQuery(String),
    /// A query writes (data-modifying CTE, SELECT INTO, locking clause).
    #[error("the query writes or locks data ({0}); only read-only SELECT queries are allowed")]
    Writes(String),
    /// A function on the deny-list of the dialect or of the datasource.
    #[error("the function {name} is not allowed: {reason}")]
    DeniedFunction {
        /// The function as written in the query.
        name: String,
        /// Why the function is denied.
        reason: String,
    },
    /// A table function (a function in FROM) outside the short list of safe ones.
    #[error(
        "the table function {name} is not allowed in FROM; only {allowed} may be used as tables"
    )]
    DeniedTableFunction {
        /// The table function as written in the query.
        name: String,
        /// The table functions that are allowed, comma-separated.
        allowed: String,
    },
    /// A system relation that holds secrets or other sessions' data.
    #[error("the relation {name} is not allowed: {reason}; query the datasource's own tables")]
    DeniedRelation {
        /// The relation as written in the query.
        name: String,
        /// Why the relation is denied.
        reason: String,
    },
    /// A relation outside the datasource's allow-list.
    #[error("the table {name} is not available for this datasource; use only: {allowed}")]
    RelationNotAllowed {
        /// The relation as written in the query.
        name: String,
        /// The allowed relations, comma-separated (shortened when long).
        allowed: String,
    },
}

impl GuardRejection {
    /// Retry class: a rejection is never transient.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}
