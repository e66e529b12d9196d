//! Finds how to join the tables a query needs, starting from its base table, along the join
//! edges of the schema index (identifier edges first, then shared-name edges).
//!
//! Invariant: every step joins exactly one new table and uses an edge of the index.

use std::collections::VecDeque;

use crate::schema_index::SchemaIndex;

/// One join: `existing` is already in the query; `new` adds its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JoinStep {
    /// Column of a table already joined.
    pub(crate) existing: (usize, usize),
    /// Column of the table this step adds.
    pub(crate) new: (usize, usize),
    /// `true` when a row on the existing side may meet several rows of the new table.
    pub(crate) fans_out: bool,
}

/// Longest join path the planner trusts.
const MAX_HOPS: usize = 3;

/// Number of joins between two tables, `None` when they do not connect within the limit.
pub(crate) fn distance(index: &SchemaIndex<'_>, from: usize, to: usize) -> Option<usize> {
    path(index, &[from], to).map(|steps| steps.len())
}

/// Joins that bring every table of `needed` into a query over `base`.
pub(crate) fn connect(
    index: &SchemaIndex<'_>,
    base: usize,
    needed: &[usize],
) -> Result<Vec<JoinStep>, String> {
    let mut included = vec![base];
    let mut steps = Vec::new();
    for &table in needed {
        if included.contains(&table) {
            continue;
        }
        let Some(path_steps) = path(index, &included, table) else {
            return Err(format!(
                "it found no way to connect {} with {}",
                index.tables[base].schema.name, index.tables[table].schema.name
            ));
        };
        for step in path_steps {
            if !included.contains(&step.new.0) {
                included.push(step.new.0);
                steps.push(step);
            }
        }
    }
    Ok(steps)
}

/// Shortest path from any table of `from` to `to`, preferring identifier edges.
fn path(index: &SchemaIndex<'_>, from: &[usize], to: usize) -> Option<Vec<JoinStep>> {
    if from.contains(&to) {
        return Some(Vec::new());
    }
    let mut neighbours: Vec<Vec<JoinStep>> = vec![Vec::new(); index.tables.len()];
    let mut edges = index.joins.clone();
    edges.sort_by_key(|edge| !index.column(edge.from).is_identifier);
    for edge in edges {
        for (a, b) in [(edge.from, edge.to), (edge.to, edge.from)] {
            let fans_out = index.tables[b.0].key != Some(b.1);
            let step = JoinStep {
                existing: a,
                new: b,
                fans_out,
            };
            if !neighbours[a.0].iter().any(|s| s.new.0 == b.0) {
                neighbours[a.0].push(step);
            }
        }
    }
    let mut previous: Vec<Option<JoinStep>> = vec![None; index.tables.len()];
    let mut depth = vec![usize::MAX; index.tables.len()];
    let mut queue = VecDeque::new();
    for &table in from {
        depth[table] = 0;
        queue.push_back(table);
    }
    while let Some(table) = queue.pop_front() {
        if depth[table] >= MAX_HOPS {
            continue;
        }
        for step in &neighbours[table] {
            let next = step.new.0;
            if depth[next] == usize::MAX {
                depth[next] = depth[table] + 1;
                previous[next] = Some(*step);
                queue.push_back(next);
            }
        }
    }
    previous[to]?;
    let mut steps = Vec::new();
    let mut current = to;
    while let Some(step) = previous[current] {
        steps.push(step);
        current = step.existing.0;
        if from.contains(&current) {
            break;
        }
    }
    steps.reverse();
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::restaurants;

    #[test]
    fn location_joins_restaurant_through_its_identifier() {
        let snapshot = restaurants();
        let index = SchemaIndex::build(&snapshot);
        let table = |name: &str| {
            index
                .tables
                .iter()
                .position(|t| t.schema.name == name)
                .unwrap()
        };

        let steps = connect(&index, table("location"), &[table("restaurant")]).unwrap();

        assert_eq!(steps.len(), 1);
        assert_eq!(index.column(steps[0].existing).schema.name, "restaurant_id");
        assert!(!steps[0].fans_out);
    }
}
