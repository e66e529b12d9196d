//! Walks a parsed statement and rejects anything that is not a plain read-only query.
//!
//! Invariant: every nested query (CTEs, subqueries, set operations) is checked, not just the
//! outermost one.

use std::ops::ControlFlow;

use contracts::error::ErrorKind;
use sqlparser::ast::{Expr, Query, SetExpr, Statement, TableFactor, Visit, Visitor};

use crate::function_deny_list::is_denied;

/// Why the guard refused a query; the message is fed back to the SQL generator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardRejection {
    /// The SQL did not parse in the target dialect.
    #[error("the SQL does not parse: {0}")]
    Unparseable(String),
    /// Zero or several statements.
    #[error("exactly one statement is allowed, found {n_statements}")]
    NotExactlyOneStatement {
        /// Statements found.
        n_statements: usize,
    },
    /// The statement is not a query (DDL, DML, SET, COPY, transaction control, ...).
    #[error("only read-only SELECT queries are allowed, found {0}")]
    NotAQuery(String),
    /// A query writes (data-modifying CTE, SELECT INTO, locking clause).
    #[error("the query writes or locks data: {0}")]
    Writes(String),
    /// A function on the deny-list.
    #[error("the function {0} is not allowed")]
    DeniedFunction(String),
    /// The SQL text is longer than allowed.
    #[error("the SQL is {n_bytes} bytes long, more than the {max_bytes} allowed")]
    TooLong {
        /// Length of the SQL.
        n_bytes: usize,
        /// Limit.
        max_bytes: usize,
    },
}

impl GuardRejection {
    /// Retry class: a rejection is never transient.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

pub(crate) fn check_statement(statement: &Statement) -> Result<(), GuardRejection> {
    let Statement::Query(_) = statement else {
        let text = statement.to_string();
        let keyword = text
            .split_whitespace()
            .next()
            .unwrap_or("an unknown statement");
        return Err(GuardRejection::NotAQuery(keyword.to_ascii_uppercase()));
    };
    match statement.visit(&mut ReadOnlyVisitor) {
        ControlFlow::Break(rejection) => Err(rejection),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct ReadOnlyVisitor;

impl Visitor for ReadOnlyVisitor {
    type Break = GuardRejection;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<GuardRejection> {
        if !query.locks.is_empty() {
            return ControlFlow::Break(GuardRejection::Writes(
                "FOR UPDATE/SHARE locking clause".into(),
            ));
        }
        check_set_expr(&query.body)
    }

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<GuardRejection> {
        match statement {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(GuardRejection::Writes(first_keyword(&other.to_string()))),
        }
    }

    fn pre_visit_table_factor(
        &mut self,
        table_factor: &TableFactor,
    ) -> ControlFlow<GuardRejection> {
        match table_factor {
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            } => ControlFlow::Break(GuardRejection::DeniedFunction(format!(
                "{name} (table function)"
            ))),
            TableFactor::Function { name, .. } => ControlFlow::Break(
                GuardRejection::DeniedFunction(format!("{name} (table function)")),
            ),
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<GuardRejection> {
        if let Expr::Function(function) = expr {
            let name = function.name.to_string();
            if is_denied(&name) {
                return ControlFlow::Break(GuardRejection::DeniedFunction(name));
            }
        }
        ControlFlow::Continue(())
    }
}

fn check_set_expr(set_expr: &SetExpr) -> ControlFlow<GuardRejection> {
    match set_expr {
        SetExpr::Select(select) if select.into.is_some() => {
            ControlFlow::Break(GuardRejection::Writes("SELECT INTO".into()))
        }
        SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Table(_) | SetExpr::Query(_) => {
            ControlFlow::Continue(())
        }
        SetExpr::SetOperation { left, right, .. } => {
            check_set_expr(left)?;
            check_set_expr(right)
        }
        SetExpr::Insert(_) => ControlFlow::Break(GuardRejection::Writes("INSERT".into())),
        SetExpr::Update(_) => ControlFlow::Break(GuardRejection::Writes("UPDATE".into())),
        SetExpr::Delete(_) => ControlFlow::Break(GuardRejection::Writes("DELETE".into())),
        SetExpr::Merge(_) => ControlFlow::Break(GuardRejection::Writes("MERGE".into())),
    }
}

fn first_keyword(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("a statement")
        .to_ascii_uppercase()
}
