//! Per-datasource settings of the guard: which relations a query may read and which extra
//! functions it may not call.
//!
//! Invariant: names are stored normalized (lowercase, unquoted) so comparisons never depend
//! on how the query or the operator spelled them.

use std::collections::BTreeSet;

/// What one datasource lets a query touch, on top of the dialect's own rules.
///
/// The default policy admits every relation except system catalogs that hold secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardPolicy {
    allowed_relations: Option<BTreeSet<String>>,
    denied_functions: BTreeSet<String>,
}

impl GuardPolicy {
    /// Restricts queries to these relations, written `table`, `schema.table` or
    /// `catalog.schema.table` (case-insensitive, double quotes optional).
    ///
    /// A reference in a query matches an entry when it names the same relation with the same
    /// or less qualification: the entry `public.orders` admits `orders` and `public.orders`,
    /// while the entry `orders` admits only the unqualified `orders`.
    /// Names of CTEs defined in the query itself are always admitted.
    pub fn with_allowed_relations<I, S>(mut self, relations: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let allowed = relations
            .into_iter()
            .map(|relation| normalize_dotted_name(relation.as_ref()))
            .filter(|relation| !relation.is_empty())
            .collect();
        self.allowed_relations = Some(allowed);
        self
    }

    /// Denies these functions too (for example user-defined functions with side effects),
    /// matched case-insensitively with or without schema qualification.
    pub fn with_denied_functions<I, S>(mut self, functions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.denied_functions
            .extend(functions.into_iter().filter_map(|function| {
                let normalized = normalize_dotted_name(function.as_ref());
                normalized.rsplit('.').next().map(str::to_owned)
            }));
        self
    }

    /// The allow-list, normalized; `None` means every non-system relation is allowed.
    pub fn allowed_relations(&self) -> Option<&BTreeSet<String>> {
        self.allowed_relations.as_ref()
    }

    /// Extra denied function names, normalized and without schema.
    pub fn denied_functions(&self) -> &BTreeSet<String> {
        &self.denied_functions
    }
}

/// Lowercases a dotted name and strips double quotes around each part.
fn normalize_dotted_name(name: &str) -> String {
    name.split('.')
        .map(|part| part.trim().trim_matches('"').to_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}
