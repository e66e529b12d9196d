//! Links spans of question tokens to tables, columns and data values of the schema.
//!
//! Invariant: a link always points at a table, column or sampled value that exists in the
//! schema index; spans of different links never overlap.

use crate::schema_index::{SchemaIndex, ValueKind};
use crate::tokenizer::{Token, singular, tokenize};
use crate::vocabulary::is_filler;

/// What a span of the question refers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mention {
    /// A table by its name.
    Table(usize),
    /// A column by its full name.
    Column((usize, usize)),
    /// A column by part of its name or by its description (weaker evidence).
    PartialColumn((usize, usize)),
    /// A value that occurs in a text column.
    Value {
        column: (usize, usize),
        value: String,
    },
}

/// A span of tokens with every reading of the strongest kind found for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    /// First token of the span.
    pub(crate) start: usize,
    /// One past the last token of the span.
    pub(crate) end: usize,
    /// Readings of the span, all of the same kind.
    pub(crate) candidates: Vec<Mention>,
}

impl Link {
    /// The tables the span may name (for table links).
    pub(crate) fn tables(&self) -> Vec<usize> {
        self.candidates
            .iter()
            .filter_map(|m| {
                if let Mention::Table(t) = m {
                    Some(*t)
                } else {
                    None
                }
            })
            .collect()
    }

    /// The columns the span may name (for column and partial column links).
    pub(crate) fn columns(&self) -> Vec<(usize, usize)> {
        self.candidates
            .iter()
            .filter_map(|m| match m {
                Mention::Column(c) | Mention::PartialColumn(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// `true` when the readings are data values.
    pub(crate) fn is_value(&self) -> bool {
        matches!(self.candidates.first(), Some(Mention::Value { .. }))
    }
}

/// Words too common to count as a partial column name on their own.
const GENERIC_STEMS: &[&str] = &[
    "id", "nam", "typ", "dat", "num", "number", "cod", "1", "2", "ts", "str",
];

/// Finds the links of a tokenized question, longest and strongest first, without overlaps.
pub(crate) fn link(tokens: &[Token], index: &SchemaIndex<'_>) -> Vec<Link> {
    let mut proposals: Vec<(u8, Link)> = Vec::new();
    propose_values(tokens, index, &mut proposals);
    for (table_idx, table) in index.tables.iter().enumerate() {
        for start in find_sequence(tokens, &table.name_stems) {
            let end = start + table.name_stems.len();
            proposals.push((
                3,
                Link {
                    start,
                    end,
                    candidates: vec![Mention::Table(table_idx)],
                },
            ));
        }
        // "payments" names payments_received and payments_made alike, weakly.
        if table.name_stems.len() > 1 {
            for start in find_sequence(tokens, &table.name_stems[..1]) {
                let candidates = vec![Mention::Table(table_idx)];
                proposals.push((
                    1,
                    Link {
                        start,
                        end: start + 1,
                        candidates,
                    },
                ));
            }
        }
        for (column_idx, column) in table.columns.iter().enumerate() {
            let at = (table_idx, column_idx);
            // "customer state" and "transaction type" name a column of a named table.
            let qualified = [table.name_stems.clone(), column.name_stems.clone()].concat();
            {
                for start in find_sequence(tokens, &qualified) {
                    let end = start + qualified.len();
                    let candidates = vec![Mention::Column(at)];
                    proposals.push((
                        2,
                        Link {
                            start,
                            end,
                            candidates,
                        },
                    ));
                }
            }
            for start in find_sequence(tokens, &column.name_stems) {
                let end = start + column.name_stems.len();
                proposals.push((
                    2,
                    Link {
                        start,
                        end,
                        candidates: vec![Mention::Column(at)],
                    },
                ));
            }
            if column.name_stems.len() > 1 {
                for stem in column.name_stems.iter().filter(|s| {
                    !GENERIC_STEMS.contains(&s.as_str()) && s.len() > 2 && !is_filler(s)
                }) {
                    for start in find_sequence(tokens, std::slice::from_ref(stem)) {
                        proposals.push((
                            1,
                            Link {
                                start,
                                end: start + 1,
                                candidates: vec![Mention::PartialColumn(at)],
                            },
                        ));
                    }
                }
            }
            if column.kind == ValueKind::Numeric && !column.is_identifier {
                for stem in column.description_stems.iter().take(2) {
                    for start in find_sequence(tokens, std::slice::from_ref(stem)) {
                        proposals.push((
                            0,
                            Link {
                                start,
                                end: start + 1,
                                candidates: vec![Mention::PartialColumn(at)],
                            },
                        ));
                    }
                }
            }
        }
    }
    select_links(proposals)
}

fn propose_values(tokens: &[Token], index: &SchemaIndex<'_>, proposals: &mut Vec<(u8, Link)>) {
    let stop = [
        "a", "an", "the", "of", "in", "and", "or", "to", "is", "by", "for", "on", "at",
    ];
    for (table_idx, table) in index.tables.iter().enumerate() {
        for (column_idx, column) in table.columns.iter().enumerate() {
            for value in &column.schema.sample_values {
                let value_tokens: Vec<String> =
                    tokenize(value).into_iter().map(|t| t.text).collect();
                let meaningless = value_tokens.iter().all(|w| stop.contains(&w.as_str()));
                let numeric = value_tokens
                    .iter()
                    .all(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'));
                if value_tokens.is_empty() || meaningless || numeric {
                    continue;
                }
                for start in find_text_sequence(tokens, &value_tokens) {
                    let mention = Mention::Value {
                        column: (table_idx, column_idx),
                        value: value.clone(),
                    };
                    let end = start + value_tokens.len();
                    proposals.push((
                        4,
                        Link {
                            start,
                            end,
                            candidates: vec![mention],
                        },
                    ));
                }
            }
        }
    }
}

/// Keeps the longest, then strongest spans; spans of equal extent and strength merge readings.
fn select_links(mut proposals: Vec<(u8, Link)>) -> Vec<Link> {
    proposals.sort_by(|(sa, a), (sb, b)| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(sb.cmp(sa))
            .then(a.start.cmp(&b.start))
    });
    let mut chosen: Vec<(u8, Link)> = Vec::new();
    for (strength, proposal) in proposals {
        if let Some((_, same)) = chosen
            .iter_mut()
            .find(|(s, l)| *s == strength && l.start == proposal.start && l.end == proposal.end)
        {
            for candidate in proposal.candidates {
                if !same.candidates.contains(&candidate) {
                    same.candidates.push(candidate);
                }
            }
            continue;
        }
        if chosen
            .iter()
            .any(|(_, l)| l.start < proposal.end && proposal.start < l.end)
        {
            continue;
        }
        chosen.push((strength, proposal));
    }
    let mut links: Vec<Link> = chosen.into_iter().map(|(_, l)| l).collect();
    links.sort_by_key(|l| l.start);
    links
}

fn find_sequence(tokens: &[Token], stems: &[String]) -> Vec<usize> {
    if stems.is_empty() || stems.len() > tokens.len() {
        return Vec::new();
    }
    (0..=tokens.len() - stems.len())
        .filter(|start| {
            stems
                .iter()
                .enumerate()
                .all(|(offset, stem)| tokens[start + offset].stem == *stem)
        })
        .collect()
}

fn find_text_sequence(tokens: &[Token], words: &[String]) -> Vec<usize> {
    if words.len() > tokens.len() {
        return Vec::new();
    }
    (0..=tokens.len() - words.len())
        .filter(|start| {
            words.iter().enumerate().all(|(offset, word)| {
                let token = &tokens[start + offset];
                token.text == *word
                    || (offset + 1 == words.len() && singular(&token.text) == singular(word))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::restaurants;

    #[test]
    fn multi_word_values_win_over_shorter_readings() {
        let snapshot = restaurants();
        let index = SchemaIndex::build(&snapshot);
        let tokens = tokenize("how many restaurants are in San Francisco");

        let links = link(&tokens, &index);

        assert_eq!(links.len(), 2);
        assert_eq!(
            links[0].tables(),
            vec![
                index
                    .tables
                    .iter()
                    .position(|t| t.schema.name == "restaurant")
                    .unwrap()
            ]
        );
        assert!(links[1].is_value());
        assert_eq!((links[1].start, links[1].end), (5, 7));
    }

    #[test]
    fn partial_column_names_link_with_every_table_that_has_them() {
        let snapshot = restaurants();
        let index = SchemaIndex::build(&snapshot);
        let tokens = tokenize("average rating per food type");

        let links = link(&tokens, &index);

        let columns: Vec<&str> = links
            .iter()
            .flat_map(|l| l.columns())
            .map(|at| index.column(at).schema.name.as_str())
            .collect();
        assert_eq!(columns, ["rating", "food_type"]);
    }
}
