//! The second check: the functions and relations an engine's own parser finds in the
//! statement the guard admitted, judged by the same rules as the guard's first reading.
//!
//! Invariant: a name the engine reads is refused whenever the same name in the guard's own
//! reading would be; anything the engine reads that the rules do not know is refused too.

use ports::sql_engine::{Dialect, EngineReading};

use crate::function_deny_list::denial_reason;
use crate::guard_policy::GuardPolicy;
use crate::guard_rejection::GuardRejection;
use crate::relation_access::check_relation;
use crate::table_function_allow_list::{allowed_table_functions_text, is_allowed_table_function};

/// Checks the engine's reading of an admitted statement under `dialect` and `policy`.
pub fn check_engine_reading(
    reading: &EngineReading,
    dialect: Dialect,
    policy: &GuardPolicy,
) -> Result<(), GuardRejection> {
    if let Some(source) = reading.unclassified_sources.first() {
        return Err(GuardRejection::AmbiguousSyntax(format!(
            "a source of rows the engine reads as {source}, which the guard does not admit"
        )));
    }
    for name_parts in &reading.functions {
        check_function(name_parts, dialect, policy)?;
    }
    for name_parts in &reading.table_functions {
        check_function(name_parts, dialect, policy)?;
        let base_name = name_parts.last().map(String::as_str).unwrap_or_default();
        if name_parts.len() > 2 || !is_allowed_table_function(base_name) {
            return Err(GuardRejection::DeniedTableFunction {
                name: name_parts.join("."),
                allowed: allowed_table_functions_text(),
            });
        }
    }
    for name_parts in &reading.relations {
        let is_cte_reference = matches!(name_parts.as_slice(), [name]
            if reading.cte_names.iter().any(|cte_name| cte_name.eq_ignore_ascii_case(name)));
        check_relation(
            name_parts,
            &name_parts.join("."),
            dialect,
            policy,
            is_cte_reference,
        )?;
    }
    Ok(())
}

fn check_function(
    name_parts: &[String],
    dialect: Dialect,
    policy: &GuardPolicy,
) -> Result<(), GuardRejection> {
    match denial_reason(name_parts, dialect, policy.denied_functions()) {
        Some(reason) => Err(GuardRejection::DeniedFunction {
            name: name_parts.join("."),
            reason: reason.to_owned(),
        }),
        None => Ok(()),
    }
}
