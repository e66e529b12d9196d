//! Walks a parsed statement and rejects anything that is not a plain read-only query over
//! permitted relations and functions.
//!
//! Invariant: every nested query (CTEs, subqueries, set operations, function arguments) is
//! checked, not just the outermost one.

use std::ops::ControlFlow;

use ports::sql_engine::Dialect;
use sqlparser::ast::{
    Expr, ObjectName, ObjectNamePart, Query, SetExpr, Statement, TableFactor, Visit, Visitor,
};

use crate::cte_scope::CteScopes;
use crate::function_deny_list::denial_reason;
use crate::guard_policy::GuardPolicy;
use crate::guard_rejection::GuardRejection;
use crate::relation_access::check_relation;
use crate::table_function_allow_list::{allowed_table_functions_text, is_allowed_table_function};

/// Admits `statement` only if it is one read-only query that respects `policy`.
pub(crate) fn check_statement(
    statement: &Statement,
    dialect: Dialect,
    policy: &GuardPolicy,
) -> Result<(), GuardRejection> {
    if !matches!(statement, Statement::Query(_)) {
        return Err(GuardRejection::NotAQuery(statement_keyword(statement)));
    }
    let mut visitor = ReadOnlyVisitor {
        dialect,
        policy,
        cte_scopes: CteScopes::default(),
    };
    match statement.visit(&mut visitor) {
        ControlFlow::Break(rejection) => Err(rejection),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct ReadOnlyVisitor<'policy> {
    dialect: Dialect,
    policy: &'policy GuardPolicy,
    cte_scopes: CteScopes,
}

impl Visitor for ReadOnlyVisitor<'_> {
    type Break = GuardRejection;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<GuardRejection> {
        self.cte_scopes.enter_query(query);
        if !query.locks.is_empty() {
            return ControlFlow::Break(GuardRejection::Writes(
                "a FOR UPDATE/FOR SHARE locking clause".into(),
            ));
        }
        self.check_set_expr(&query.body)
    }

    fn post_visit_query(&mut self, query: &Query) -> ControlFlow<GuardRejection> {
        self.cte_scopes.leave_query(query);
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<GuardRejection> {
        match statement {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(GuardRejection::Writes(format!(
                "a nested {} statement",
                statement_keyword(other)
            ))),
        }
    }

    fn pre_visit_table_factor(
        &mut self,
        table_factor: &TableFactor,
    ) -> ControlFlow<GuardRejection> {
        match table_factor {
            TableFactor::Table {
                name, args: None, ..
            } => self.check_relation(name),
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => self.check_table_function(name),
            TableFactor::TableFunction { expr, .. } => {
                ControlFlow::Break(GuardRejection::DeniedTableFunction {
                    name: format!("TABLE({expr})"),
                    allowed: allowed_table_functions_text(),
                })
            }
            TableFactor::SemanticView { name, .. } => {
                ControlFlow::Break(GuardRejection::DeniedTableFunction {
                    name: format!("SEMANTIC_VIEW({name})"),
                    allowed: allowed_table_functions_text(),
                })
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<GuardRejection> {
        if let Expr::Function(function) = expr {
            return self.check_function(&function.name);
        }
        ControlFlow::Continue(())
    }
}

impl ReadOnlyVisitor<'_> {
    fn check_set_expr(&self, set_expr: &SetExpr) -> ControlFlow<GuardRejection> {
        match set_expr {
            SetExpr::Select(select) if select.into.is_some() => {
                ControlFlow::Break(GuardRejection::Writes("SELECT INTO creates a table".into()))
            }
            SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Query(_) => {
                ControlFlow::Continue(())
            }
            SetExpr::Table(table) => {
                let name_parts: Vec<String> = table
                    .schema_name
                    .iter()
                    .chain(table.table_name.iter())
                    .cloned()
                    .collect();
                self.break_on(check_relation(
                    &name_parts,
                    &name_parts.join("."),
                    self.dialect,
                    self.policy,
                    self.cte_scopes.resolves_to_cte(&name_parts),
                ))
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.check_set_expr(left)?;
                self.check_set_expr(right)
            }
            SetExpr::Insert(_) => ControlFlow::Break(GuardRejection::Writes("INSERT".into())),
            SetExpr::Update(_) => ControlFlow::Break(GuardRejection::Writes("UPDATE".into())),
            SetExpr::Delete(_) => ControlFlow::Break(GuardRejection::Writes("DELETE".into())),
            SetExpr::Merge(_) => ControlFlow::Break(GuardRejection::Writes("MERGE".into())),
        }
    }

    fn check_relation(&self, name: &ObjectName) -> ControlFlow<GuardRejection> {
        let name_parts = unquoted_parts(name);
        self.break_on(check_relation(
            &name_parts,
            &name.to_string(),
            self.dialect,
            self.policy,
            self.cte_scopes.resolves_to_cte(&name_parts),
        ))
    }

    fn check_function(&self, name: &ObjectName) -> ControlFlow<GuardRejection> {
        let name_parts = unquoted_parts(name);
        match denial_reason(&name_parts, self.dialect, self.policy.denied_functions()) {
            Some(reason) => ControlFlow::Break(GuardRejection::DeniedFunction {
                name: name.to_string(),
                reason: reason.to_owned(),
            }),
            None => ControlFlow::Continue(()),
        }
    }

    fn check_table_function(&self, name: &ObjectName) -> ControlFlow<GuardRejection> {
        self.check_function(name)?;
        let name_parts = unquoted_parts(name);
        let base_name = name_parts.last().map(String::as_str).unwrap_or_default();
        if name_parts.len() <= 2 && is_allowed_table_function(base_name) {
            return ControlFlow::Continue(());
        }
        ControlFlow::Break(GuardRejection::DeniedTableFunction {
            name: name.to_string(),
            allowed: allowed_table_functions_text(),
        })
    }

    fn break_on(&self, result: Result<(), GuardRejection>) -> ControlFlow<GuardRejection> {
        match result {
            Ok(()) => ControlFlow::Continue(()),
            Err(rejection) => ControlFlow::Break(rejection),
        }
    }
}

/// The name's parts without quotes; a part that is not a plain identifier keeps its text.
pub(crate) fn unquoted_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// The statement's leading keyword, uppercased, for messages.
fn statement_keyword(statement: &Statement) -> String {
    statement
        .to_string()
        .split_whitespace()
        .next()
        .unwrap_or("an unknown statement")
        .to_ascii_uppercase()
}
