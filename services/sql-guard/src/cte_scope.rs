//! Tracks which CTE names are in scope while the guard walks a query, so a reference to a
//! CTE is not mistaken for a table and a table is not mistaken for a CTE.
//!
//! Invariant: a CTE body sees only the CTEs defined before it in the same `WITH` (all of
//! them under `WITH RECURSIVE`), as PostgreSQL resolves them; a later sibling never shadows
//! a real table inside an earlier body.

use sqlparser::ast::Query;

/// The stack of `WITH` clauses enclosing the current position of the walk.
#[derive(Debug, Default)]
pub(crate) struct CteScopes {
    frames: Vec<WithFrame>,
}

#[derive(Debug)]
struct WithFrame {
    /// The query owning the `WITH`; compared by address only.
    owner: *const Query,
    /// Lowercased CTE names, in definition order.
    names: Vec<String>,
    /// The CTE bodies, in definition order; compared by address only.
    bodies: Vec<*const Query>,
    recursive: bool,
    /// How many of `names` are visible at the current position.
    n_visible: usize,
}

impl CteScopes {
    /// Call before walking `query`'s children.
    pub(crate) fn enter_query(&mut self, query: &Query) {
        if let Some(frame) = self.frames.last_mut() {
            let query_ptr: *const Query = query;
            if let Some(body_idx) = frame.bodies.iter().position(|body| *body == query_ptr) {
                frame.n_visible = if frame.recursive {
                    frame.names.len()
                } else {
                    body_idx
                };
            }
        }
        if let Some(with) = &query.with {
            let names: Vec<String> = with
                .cte_tables
                .iter()
                .map(|cte| cte.alias.name.value.to_lowercase())
                .collect();
            self.frames.push(WithFrame {
                owner: query,
                n_visible: names.len(),
                names,
                bodies: with
                    .cte_tables
                    .iter()
                    .map(|cte| &*cte.query as *const Query)
                    .collect(),
                recursive: with.recursive,
            });
        }
    }

    /// Call after walking `query`'s children.
    pub(crate) fn leave_query(&mut self, query: &Query) {
        let query_ptr: *const Query = query;
        if self
            .frames
            .last()
            .is_some_and(|frame| frame.owner == query_ptr)
        {
            self.frames.pop();
        }
        if let Some(frame) = self.frames.last_mut()
            && frame.bodies.contains(&query_ptr)
        {
            frame.n_visible = frame.names.len();
        }
    }

    /// `true` when an unqualified reference to `name` resolves to a CTE in scope.
    pub(crate) fn resolves_to_cte(&self, name_parts: &[String]) -> bool {
        let [name] = name_parts else {
            return false;
        };
        let name = name.to_lowercase();
        self.frames
            .iter()
            .any(|frame| frame.names[..frame.n_visible].contains(&name))
    }
}
