//! The gold-SQL notation of defog's sql-eval question files: a `query` cell may hold several
//! queries separated by `;` (each an accepted answer), and column alternatives written
//! `{a.col, b.col}`, where `{}` repeats the alternative chosen for the previous group.
//!
//! Invariant: every alternative of every group yields its own concrete query, in the order
//! written; nothing here parses SQL beyond quotes, semicolons and braces.

use std::collections::BTreeSet;

/// Every concrete query a gold cell accepts, in order, without repeats.
pub fn concrete_queries(gold_cell: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut queries = Vec::new();
    for statement in split_statements(gold_cell) {
        for sql in expand_alternatives(&statement) {
            if seen.insert(sql.clone()) {
                queries.push(sql);
            }
        }
    }
    queries
}

/// Splits on `;` outside single-quoted strings and drops empty pieces.
pub fn split_statements(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    for character in text.chars() {
        match character {
            '\'' => {
                in_string = !in_string;
                current.push(character);
            }
            ';' if !in_string => statements.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    statements.push(current);
    statements
        .into_iter()
        .map(|statement| statement.trim().to_owned())
        .filter(|statement| !statement.is_empty())
        .collect()
}

/// One query per alternative index: group `k` takes its `i`-th alternative (its last when
/// it has fewer), and `{}` repeats the previous group's choice.
pub fn expand_alternatives(statement: &str) -> Vec<String> {
    let pieces = split_groups(statement);
    let n_alternatives = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Group(alternatives) => Some(alternatives.len()),
            Piece::Text(_) => None,
        })
        .max()
        .unwrap_or(1);
    (0..n_alternatives)
        .map(|alternative_idx| {
            let mut sql = String::new();
            let mut previous_choice = String::new();
            for piece in &pieces {
                match piece {
                    Piece::Text(text) => sql.push_str(text),
                    Piece::Group(alternatives) if alternatives.is_empty() => {
                        sql.push_str(&previous_choice);
                    }
                    Piece::Group(alternatives) => {
                        let choice = &alternatives[alternative_idx.min(alternatives.len() - 1)];
                        previous_choice = choice.clone();
                        sql.push_str(choice);
                    }
                }
            }
            sql
        })
        .collect()
}

enum Piece {
    Text(String),
    /// Alternatives of one `{...}` group; empty for `{}`.
    Group(Vec<String>),
}

/// Splits a statement into text and `{...}` groups, ignoring braces inside strings.
fn split_groups(statement: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut group: Option<String> = None;
    let mut in_string = false;
    for character in statement.chars() {
        match (&mut group, character) {
            (None, '\'') => {
                in_string = !in_string;
                text.push(character);
            }
            (None, '{') if !in_string => {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                group = Some(String::new());
            }
            (None, _) => text.push(character),
            (Some(body), '}') => {
                let alternatives = body
                    .split(',')
                    .map(|alternative| alternative.trim().to_owned())
                    .filter(|alternative| !alternative.is_empty())
                    .collect();
                pieces.push(Piece::Group(alternatives));
                group = None;
            }
            (Some(body), _) => body.push(character),
        }
    }
    pieces.push(Piece::Text(text));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_expand_and_empty_groups_repeat_the_choice() {
        let expanded = expand_alternatives("SELECT {a.x, b.y}, n FROM t GROUP BY {}");

        assert_eq!(
            expanded,
            [
                "SELECT a.x, n FROM t GROUP BY a.x",
                "SELECT b.y, n FROM t GROUP BY b.y"
            ]
        );
    }

    #[test]
    fn semicolons_inside_strings_do_not_split_statements() {
        let statements = split_statements("SELECT 'a;b';SELECT 2;");

        assert_eq!(statements, ["SELECT 'a;b'", "SELECT 2"]);
    }

    #[test]
    fn a_cell_yields_each_concrete_query_once() {
        let queries = concrete_queries("SELECT {a, b} FROM t;SELECT a FROM t;");

        assert_eq!(queries, ["SELECT a FROM t", "SELECT b FROM t"]);
    }
}
