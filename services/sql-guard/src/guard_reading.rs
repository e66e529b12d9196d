//! The guard's own reading of a statement in the same terms an engine reports its reading
//! ([`EngineReading`]): the functions, table functions and relations the parsed statement
//! names, and the CTEs it defines.
//!
//! Invariant: only parses and collects; admits nothing. Used to compare the two parsers.

use std::ops::ControlFlow;

use ports::sql_engine::{Dialect, EngineReading};
use sqlparser::ast::{Expr, Query, TableFactor, Visit, Visitor};

use crate::guard_rejection::GuardRejection;
use crate::read_only_check::unquoted_parts;

/// What the guard's parser reads in `sql` (one statement of `dialect`).
pub fn read_statement(sql: &str, dialect: Dialect) -> Result<EngineReading, GuardRejection> {
    crate::input_screen::screen_text(sql)?;
    let statement = stacker::grow(crate::GUARD_STACK_BYTES, || {
        crate::parse_one_statement(sql, dialect)
    })?;
    let mut collector = ReadingCollector::default();
    let _ = statement.visit(&mut collector);
    Ok(collector.reading)
}

#[derive(Default)]
struct ReadingCollector {
    reading: EngineReading,
}

impl Visitor for ReadingCollector {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            self.reading.cte_names.extend(
                with.cte_tables
                    .iter()
                    .map(|cte| cte.alias.name.value.clone()),
            );
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, table_factor: &TableFactor) -> ControlFlow<()> {
        match table_factor {
            TableFactor::Table {
                name, args: None, ..
            } => self.reading.relations.push(unquoted_parts(name)),
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => {
                self.reading.table_functions.push(unquoted_parts(name));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            self.reading.functions.push(unquoted_parts(&function.name));
        }
        ControlFlow::Continue(())
    }
}
