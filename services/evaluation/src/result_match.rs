//! Execution-accuracy comparison of a generated result with gold results, after defog's
//! sql-eval: the generated result may carry extra columns, and it is correct when every gold
//! column can be paired with a distinct generated column holding the same values and the paired
//! rows then equal the gold rows (as multisets, or in order when the question asks for one).
//!
//! Invariant: column names and column order never matter, only values; duplicate rows count.

use contracts::result::ResultSet;

use crate::row_order::RowOrder;
use crate::value_key::{ValueKey, value_key};

/// Column pairings tried at most when several generated columns hold the same values.
const MAX_COLUMN_PAIRINGS: usize = 1_000;

/// Index of the first gold result that `generated` matches, trying the accepted alternatives
/// in order.
pub fn first_matching_gold<'a>(
    gold_results: impl IntoIterator<Item = (&'a ResultSet, RowOrder)>,
    generated: &ResultSet,
) -> Option<usize> {
    gold_results
        .into_iter()
        .position(|(gold, row_order)| result_matches(gold, generated, row_order))
}

/// `true` when `generated` answers like `gold`: same number of rows, and every gold column
/// paired with a distinct generated column of the same values such that the paired rows equal
/// the gold rows under `row_order`. An empty gold result matches only an empty result.
pub fn result_matches(gold: &ResultSet, generated: &ResultSet, row_order: RowOrder) -> bool {
    let gold_rows = normalized_rows(gold);
    let generated_rows = normalized_rows(generated);
    if gold_rows.len() != generated_rows.len() || gold.columns.len() > generated.columns.len() {
        return false;
    }
    let gold_columns = sorted_columns(&gold_rows, gold.columns.len());
    let generated_columns = sorted_columns(&generated_rows, generated.columns.len());
    let candidates: Vec<Vec<usize>> = gold_columns
        .iter()
        .map(|gold_column| {
            (0..generated_columns.len())
                .filter(|&column_idx| generated_columns[column_idx] == *gold_column)
                .collect()
        })
        .collect();
    if candidates.iter().any(Vec::is_empty) {
        return false;
    }
    let mut pairing_search = PairingSearch {
        candidates: &candidates,
        gold_rows: &gold_rows,
        generated_rows: &generated_rows,
        row_order,
        n_tried: 0,
    };
    pairing_search.any_pairing_matches(&mut Vec::with_capacity(candidates.len()))
}

/// Depth-first search over pairings of gold columns with generated columns.
struct PairingSearch<'a> {
    candidates: &'a [Vec<usize>],
    gold_rows: &'a [Vec<ValueKey>],
    generated_rows: &'a [Vec<ValueKey>],
    row_order: RowOrder,
    n_tried: usize,
}

impl PairingSearch<'_> {
    fn any_pairing_matches(&mut self, pairing: &mut Vec<usize>) -> bool {
        if self.n_tried >= MAX_COLUMN_PAIRINGS {
            return false;
        }
        let gold_column_idx = pairing.len();
        if gold_column_idx == self.candidates.len() {
            self.n_tried += 1;
            let paired_rows: Vec<Vec<ValueKey>> = self
                .generated_rows
                .iter()
                .map(|row| pairing.iter().map(|&idx| row[idx].clone()).collect())
                .collect();
            return rows_match(self.gold_rows, &paired_rows, self.row_order);
        }
        for &generated_column_idx in &self.candidates[gold_column_idx] {
            if pairing.contains(&generated_column_idx) {
                continue;
            }
            pairing.push(generated_column_idx);
            let matched = self.any_pairing_matches(pairing);
            pairing.pop();
            if matched {
                return true;
            }
        }
        false
    }
}

/// Rows of equal width (missing cells read as NULL) with every value normalised.
fn normalized_rows(result_set: &ResultSet) -> Vec<Vec<ValueKey>> {
    let n_columns = result_set.columns.len();
    result_set
        .rows
        .iter()
        .map(|row| {
            (0..n_columns)
                .map(|column_idx| row.get(column_idx).map_or(ValueKey::Null, value_key))
                .collect()
        })
        .collect()
}

/// Each column's values, sorted: the column as a multiset.
fn sorted_columns(rows: &[Vec<ValueKey>], n_columns: usize) -> Vec<Vec<ValueKey>> {
    (0..n_columns)
        .map(|column_idx| {
            let mut column: Vec<ValueKey> =
                rows.iter().map(|row| row[column_idx].clone()).collect();
            column.sort();
            column
        })
        .collect()
}

fn rows_match(
    gold_rows: &[Vec<ValueKey>],
    paired_rows: &[Vec<ValueKey>],
    row_order: RowOrder,
) -> bool {
    if gold_rows == paired_rows {
        return true;
    }
    if !same_multiset(gold_rows, paired_rows) {
        return false;
    }
    match row_order {
        RowOrder::Unordered => true,
        RowOrder::Ordered => ties_explain_the_difference(gold_rows, paired_rows),
    }
}

fn same_multiset(left: &[Vec<ValueKey>], right: &[Vec<ValueKey>]) -> bool {
    let mut left = left.to_vec();
    let mut right = right.to_vec();
    left.sort();
    right.sort();
    left == right
}

/// `true` when some gold column is sorted (ascending or descending, NULLs anywhere at the ends),
/// takes more than one value, and the rows differ only inside runs where that column is
/// constant: rows tied on the sort key may come back in either order.
fn ties_explain_the_difference(gold_rows: &[Vec<ValueKey>], paired_rows: &[Vec<ValueKey>]) -> bool {
    let n_columns = gold_rows.first().map_or(0, Vec::len);
    (0..n_columns).any(|column_idx| {
        let column: Vec<&ValueKey> = gold_rows.iter().map(|row| &row[column_idx]).collect();
        if !is_sorted_key(&column) {
            return false;
        }
        let runs = equal_runs(&column);
        runs.len() > 1
            && runs
                .iter()
                .all(|run| same_multiset(&gold_rows[run.clone()], &paired_rows[run.clone()]))
    })
}

/// Non-NULL values sorted one way, NULLs only before or after them.
fn is_sorted_key(column: &[&ValueKey]) -> bool {
    let first_value = column
        .iter()
        .position(|value| !matches!(value, ValueKey::Null));
    let last_value = column
        .iter()
        .rposition(|value| !matches!(value, ValueKey::Null));
    let (Some(first_value), Some(last_value)) = (first_value, last_value) else {
        return false;
    };
    let values = &column[first_value..=last_value];
    if values.iter().any(|value| matches!(value, ValueKey::Null)) {
        return false;
    }
    values.windows(2).all(|pair| pair[0] <= pair[1])
        || values.windows(2).all(|pair| pair[0] >= pair[1])
}

/// Index ranges of maximal runs of equal values.
fn equal_runs(column: &[&ValueKey]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut run_start = 0;
    for row_idx in 1..=column.len() {
        if row_idx == column.len() || column[row_idx] != column[run_start] {
            runs.push(run_start..row_idx);
            run_start = row_idx;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use contracts::result::{ColumnType, ResultColumn};
    use serde_json::{Value, json};

    use super::*;

    fn result_set(column_names: &[&str], rows: Vec<Vec<Value>>) -> ResultSet {
        ResultSet {
            columns: column_names
                .iter()
                .map(|name| ResultColumn {
                    name: (*name).to_owned(),
                    column_type: ColumnType::Other,
                })
                .collect(),
            total_rows: Some(rows.len() as u64),
            rows,
            truncated: false,
        }
    }

    #[test]
    fn unordered_results_match_in_any_row_order() {
        let gold = result_set(
            &["city", "n"],
            vec![
                vec![json!("Paris"), json!(3)],
                vec![json!("Rome"), json!(1)],
            ],
        );
        let generated = result_set(
            &["c", "count"],
            vec![
                vec![json!("Rome"), json!(1)],
                vec![json!("Paris"), json!(3)],
            ],
        );

        assert!(result_matches(&gold, &generated, RowOrder::Unordered));
    }

    #[test]
    fn ordered_results_must_keep_the_gold_order() {
        let gold = result_set(
            &["name", "rating"],
            vec![
                vec![json!("a"), json!(5)],
                vec![json!("b"), json!(4)],
                vec![json!("c"), json!(3)],
            ],
        );
        let reversed = result_set(
            &["name", "rating"],
            vec![
                vec![json!("c"), json!(3)],
                vec![json!("b"), json!(4)],
                vec![json!("a"), json!(5)],
            ],
        );

        assert!(result_matches(&gold, &gold, RowOrder::Ordered));
        assert!(!result_matches(&gold, &reversed, RowOrder::Ordered));
        assert!(result_matches(&gold, &reversed, RowOrder::Unordered));
    }

    #[test]
    fn rows_tied_on_the_sort_column_may_come_in_either_order() {
        let gold = result_set(
            &["name", "rating"],
            vec![
                vec![json!("a"), json!(5)],
                vec![json!("b"), json!(5)],
                vec![json!("c"), json!(3)],
            ],
        );
        let ties_swapped = result_set(
            &["name", "rating"],
            vec![
                vec![json!("b"), json!(5)],
                vec![json!("a"), json!(5)],
                vec![json!("c"), json!(3)],
            ],
        );
        let misordered = result_set(
            &["name", "rating"],
            vec![
                vec![json!("c"), json!(3)],
                vec![json!("a"), json!(5)],
                vec![json!("b"), json!(5)],
            ],
        );

        assert!(result_matches(&gold, &ties_swapped, RowOrder::Ordered));
        assert!(!result_matches(&gold, &misordered, RowOrder::Ordered));
    }

    #[test]
    fn duplicate_rows_count() {
        let gold = result_set(
            &["city"],
            vec![
                vec![json!("Paris")],
                vec![json!("Paris")],
                vec![json!("Rome")],
            ],
        );
        let distinct = result_set(&["city"], vec![vec![json!("Paris")], vec![json!("Rome")]]);
        let other_duplicates = result_set(
            &["city"],
            vec![
                vec![json!("Paris")],
                vec![json!("Rome")],
                vec![json!("Rome")],
            ],
        );

        assert!(!result_matches(&gold, &distinct, RowOrder::Unordered));
        assert!(!result_matches(
            &gold,
            &other_duplicates,
            RowOrder::Unordered
        ));
        assert!(result_matches(&gold, &gold, RowOrder::Unordered));
    }

    #[test]
    fn extra_generated_columns_are_allowed_but_missing_ones_are_not() {
        let gold = result_set(&["name"], vec![vec![json!("a")], vec![json!("b")]]);
        let with_extra = result_set(
            &["id", "name", "rating"],
            vec![
                vec![json!(1), json!("a"), json!(4.5)],
                vec![json!(2), json!("b"), json!(3.5)],
            ],
        );

        assert!(result_matches(&gold, &with_extra, RowOrder::Unordered));
        assert!(!result_matches(&with_extra, &gold, RowOrder::Unordered));
    }

    #[test]
    fn paired_columns_must_line_up_row_by_row() {
        let gold = result_set(
            &["name", "n"],
            vec![vec![json!("a"), json!(1)], vec![json!("b"), json!(2)]],
        );
        let crossed = result_set(
            &["name", "n"],
            vec![vec![json!("a"), json!(2)], vec![json!("b"), json!(1)]],
        );

        assert!(!result_matches(&gold, &crossed, RowOrder::Unordered));
    }

    #[test]
    fn a_second_pairing_is_tried_when_columns_hold_the_same_values() {
        let gold = result_set(
            &["x", "y"],
            vec![vec![json!(1), json!(2)], vec![json!(2), json!(1)]],
        );
        let generated = result_set(
            &["p", "q"],
            vec![vec![json!(2), json!(1)], vec![json!(1), json!(2)]],
        );
        let swapped_columns = result_set(
            &["q", "p"],
            vec![vec![json!(1), json!(2)], vec![json!(2), json!(1)]],
        );

        assert!(result_matches(&gold, &generated, RowOrder::Ordered));
        assert!(result_matches(&gold, &swapped_columns, RowOrder::Ordered));
    }

    #[test]
    fn floats_integers_and_nulls_compare_by_value() {
        let gold = result_set(
            &["avg", "n", "note"],
            vec![vec![json!(4.333333333333333), json!(3), json!(null)]],
        );
        let generated = result_set(
            &["a", "b", "c"],
            vec![vec![json!(4.3333333), json!(3.0), json!(null)]],
        );
        let rounded = result_set(
            &["a", "b", "c"],
            vec![vec![json!(4.33), json!(3), json!(null)]],
        );

        assert!(result_matches(&gold, &generated, RowOrder::Unordered));
        assert!(!result_matches(&gold, &rounded, RowOrder::Unordered));
    }

    #[test]
    fn an_empty_gold_result_matches_only_an_empty_result() {
        let gold = result_set(&["name"], vec![]);
        let empty = result_set(&["name", "id"], vec![]);
        let one_row = result_set(&["name"], vec![vec![json!("a")]]);

        assert!(result_matches(&gold, &empty, RowOrder::Unordered));
        assert!(!result_matches(&gold, &one_row, RowOrder::Unordered));
    }

    #[test]
    fn the_first_matching_alternative_is_reported() {
        let by_name = result_set(&["name"], vec![vec![json!("a")]]);
        let by_id = result_set(&["id"], vec![vec![json!(7)]]);
        let generated = result_set(&["id", "count"], vec![vec![json!(7), json!(1)]]);
        let alternatives = [
            (&by_name, RowOrder::Unordered),
            (&by_id, RowOrder::Unordered),
        ];

        assert_eq!(first_matching_gold(alternatives, &generated), Some(1));
        assert_eq!(
            first_matching_gold([(&by_name, RowOrder::Unordered)], &generated),
            None
        );
    }
}
