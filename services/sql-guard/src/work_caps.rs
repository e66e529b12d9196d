//! Caps on the work one call can ask for, written into the statement the engine runs: the
//! string functions whose cost grows with the product of their inputs' lengths, and the
//! functions whose output size is an argument, fail with a clear error past a bound instead of
//! taking the server's memory or CPU.
//!
//! Invariant: a capped call computes exactly what it did whenever its inputs are within the
//! bound; only DuckDB's statements are rewritten.

use std::ops::ControlFlow;

use ports::sql_engine::Dialect;
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Statement,
    visit_expressions_mut,
};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;

use crate::guard_rejection::GuardRejection;
use crate::input_screen::MAX_SQL_BYTES;

/// Longest string a quadratic string function may be given, in characters.
///
/// At this length one call is about 65,000 steps; DuckDB checks for an interrupt between
/// chunks of 2,048 rows, so a timed-out query stops within a fraction of a second.
pub const MAX_QUADRATIC_INPUT_CHARS: usize = 256;

/// Largest value (characters or list elements) a size-taking function may produce.
pub const MAX_GENERATED_VALUE_LEN: usize = 100_000;

/// Functions whose cost is the product of their string inputs' lengths.
const QUADRATIC_STRING_FUNCTIONS: &[&str] = &[
    "levenshtein",
    "damerau_levenshtein",
    "editdist3",
    "jaro_similarity",
    "jaro_winkler_similarity",
];

/// Functions whose output length is their second argument (times the first's length for
/// `repeat`).
const SIZE_TAKING_FUNCTIONS: &[&str] = &["repeat", "lpad", "rpad", "list_resize", "array_resize"];

/// Functions that build their whole result list in memory when called in an expression (in
/// FROM they stream rows, and stay allowed there).
const LIST_BUILDING_FUNCTIONS: &[&str] = &["range", "generate_series"];

/// Rewrites capped calls of `statement` in place (DuckDB only).
pub(crate) fn cap_work(statement: &mut Statement, dialect: Dialect) -> Result<(), GuardRejection> {
    if dialect != Dialect::Embedded {
        return Ok(());
    }
    let outcome = visit_expressions_mut(statement, |expr| {
        let Expr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        match capped_call(function) {
            Ok(Some(capped)) => {
                *expr = capped;
                ControlFlow::Continue(())
            }
            Ok(None) => ControlFlow::Continue(()),
            Err(rejection) => ControlFlow::Break(rejection),
        }
    });
    match outcome {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(rejection) => Err(rejection),
    }
}

/// The capped form of `function`, or `None` when it needs no cap.
fn capped_call(function: &Function) -> Result<Option<Expr>, GuardRejection> {
    let Some(base_name) = function
        .name
        .0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.to_lowercase())
    else {
        return Ok(None);
    };
    if LIST_BUILDING_FUNCTIONS.contains(&base_name.as_str()) {
        return Err(GuardRejection::DeniedFunction {
            name: base_name.clone(),
            reason: format!(
                "in an expression it builds its whole list in memory; use it as a table \
                 instead: FROM {base_name}(...) AS t(value)"
            ),
        });
    }
    let is_quadratic = QUADRATIC_STRING_FUNCTIONS.contains(&base_name.as_str());
    let is_size_taking = SIZE_TAKING_FUNCTIONS.contains(&base_name.as_str());
    if !is_quadratic && !is_size_taking {
        return Ok(None);
    }
    check_constant_arguments(function, &base_name, is_quadratic)?;
    let arguments = plain_arguments(function).ok_or_else(|| {
        GuardRejection::AmbiguousSyntax(format!(
            "{base_name} with named or special arguments (call it with plain arguments)"
        ))
    })?;
    let message = if is_quadratic {
        format!(
            "{base_name} is limited to strings of at most {MAX_QUADRATIC_INPUT_CHARS} characters"
        )
    } else {
        format!(
            "{base_name} is limited to results of at most {MAX_GENERATED_VALUE_LEN} characters or elements"
        )
    };
    // Each bounded argument is replaced by a check of itself, so the bound holds wherever
    // DuckDB evaluates the call, including while planning: the optimizer folds a call over
    // constants (a CTE's literal included) whatever surrounds it, but a check that fails is
    // not folded, and the call is never computed on an input past the bound.
    let checked_arguments: Vec<(usize, String)> = if is_quadratic {
        arguments
            .iter()
            .take(2)
            .enumerate()
            .map(|(idx, argument)| {
                (
                    idx,
                    format!(
                        "CASE WHEN length({argument}) > {MAX_QUADRATIC_INPUT_CHARS} \
                         THEN error('{message}') ELSE {argument} END"
                    ),
                )
            })
            .collect()
    } else {
        let [value, size, ..] = arguments.as_slice() else {
            return Ok(None);
        };
        let condition = if base_name == "repeat" {
            format!("length({value}) * ({size}) > {MAX_GENERATED_VALUE_LEN}")
        } else {
            format!("({size}) > {MAX_GENERATED_VALUE_LEN}")
        };
        vec![(
            1,
            format!("CASE WHEN {condition} THEN error('{message}') ELSE {size} END"),
        )]
    };
    let mut capped = function.clone();
    let FunctionArguments::List(list) = &mut capped.args else {
        return Ok(None);
    };
    for (idx, checked_text) in checked_arguments {
        // A checked argument repeats the argument, so nested calls double in size per level.
        if checked_text.len() > MAX_SQL_BYTES {
            return Err(GuardRejection::TooLong {
                n_bytes: checked_text.len(),
                max_bytes: MAX_SQL_BYTES,
            });
        }
        let checked = Parser::new(&DuckDbDialect {})
            .try_with_sql(&checked_text)
            .and_then(|mut parser| parser.parse_expr())
            .map_err(|err| GuardRejection::Unparseable(format!("capping {base_name}: {err}")))?;
        list.args[idx] = FunctionArg::Unnamed(FunctionArgExpr::Expr(checked));
    }
    let capped_len = capped.to_string().len();
    if capped_len > MAX_SQL_BYTES {
        return Err(GuardRejection::TooLong {
            n_bytes: capped_len,
            max_bytes: MAX_SQL_BYTES,
        });
    }
    Ok(Some(Expr::Function(capped)))
}

/// Rejects inputs DuckDB would compute while planning, before any cap can run: DuckDB folds a
/// call whose arguments are all constant, so for a capped call a literal must be within the
/// bound and any other argument must read a column or a subquery.
fn check_constant_arguments(
    function: &Function,
    base_name: &str,
    is_quadratic: bool,
) -> Result<(), GuardRejection> {
    let FunctionArguments::List(list) = &function.args else {
        return Ok(());
    };
    let refused = |what: String| {
        Err(GuardRejection::DeniedFunction {
            name: base_name.to_owned(),
            reason: what,
        })
    };
    for (argument_idx, argument) in list.args.iter().enumerate() {
        let FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) = argument else {
            continue;
        };
        let is_bounded_input = if is_quadratic {
            argument_idx < 2
        } else {
            argument_idx == 1
        };
        if !is_bounded_input {
            continue;
        }
        match expr {
            Expr::Value(value) => {
                let text = value.value.to_string();
                let within = if is_quadratic {
                    text.chars().count() <= MAX_QUADRATIC_INPUT_CHARS + 2
                } else {
                    text.parse::<f64>()
                        .is_ok_and(|size| size <= MAX_GENERATED_VALUE_LEN as f64)
                };
                if !within {
                    return refused(format!(
                        "its argument {text} is past the bound (strings of at most \
                         {MAX_QUADRATIC_INPUT_CHARS} characters, results of at most \
                         {MAX_GENERATED_VALUE_LEN})"
                    ));
                }
            }
            other if !reads_data(other) => {
                return refused(
                    "a computed constant argument is evaluated while the query is planned, \
                     before any bound applies; pass a column or a literal"
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// `true` when `expr` reads a column or runs a subquery (so it is not folded at plan time).
fn reads_data(expr: &Expr) -> bool {
    let outcome = sqlparser::ast::visit_expressions(expr, |inner| match inner {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Subquery(_)
        | Expr::Exists { .. }
        | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    outcome.is_break()
}

/// The rendered unnamed arguments, or `None` when an argument is named or special.
fn plain_arguments(function: &Function) -> Option<Vec<String>> {
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    if !list.clauses.is_empty() || list.duplicate_treatment.is_some() {
        return None;
    }
    list.args
        .iter()
        .map(|argument| match argument {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => Some(expr.to_string()),
            _ => None,
        })
        .collect()
}
