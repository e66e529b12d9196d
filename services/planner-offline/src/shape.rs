//! Detects the shape of a data question from its words: count, aggregate, top-N or list, plus
//! the row limit, numeric comparisons and the position of a "by / per / for each" grouping.
//!
//! Invariant: reads only tokens and link spans; never decides which table or column is meant.

use crate::linker::Link;
use crate::tokenizer::Token;

/// An aggregate function over a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aggregate {
    /// `SUM`.
    Sum,
    /// `AVG`.
    Avg,
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
}

/// The overall form of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Number of rows (or of distinct values).
    Count,
    /// One aggregate of a numeric measure.
    Aggregate(Aggregate),
    /// Rows ordered by a measure, best first.
    Top {
        /// `true` for highest first.
        descending: bool,
        /// Token index of the superlative word.
        at: usize,
    },
    /// Plain rows.
    List,
}

/// A numeric comparison such as "above 4" or "at least 100".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    /// SQL operator.
    pub(crate) operator: &'static str,
    /// Right-hand number as written.
    pub(crate) number: String,
    /// Token index of the first comparison word.
    pub(crate) start: usize,
    /// Token index of the number.
    pub(crate) number_at: usize,
}

/// Everything the words say about the question's form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapeWords {
    /// The form.
    pub(crate) shape: Shape,
    /// Explicit row count ("top 3", "show 5").
    pub(crate) limit: Option<u64>,
    /// Comparisons in question order.
    pub(crate) comparisons: Vec<Comparison>,
    /// Index into the links of the grouping target.
    pub(crate) group_link: Option<usize>,
    /// Years mentioned on their own ("cars from 2022").
    pub(crate) years: Vec<(usize, String)>,
    /// "distinct", "different" or "unique" was asked for.
    pub(crate) distinct: bool,
}

/// Reads the shape words; fails with a plain reason when a number has no role.
/// `numeric_starts` are the token indices where links to numeric measure columns begin, so
/// "number of citations" reads as a measure rather than as a count.
pub(crate) fn detect(
    tokens: &[Token],
    links: &[Link],
    numeric_starts: &[usize],
) -> Result<ShapeWords, String> {
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let has = |word: &str| words.contains(&word);
    let linked = |idx: usize| links.iter().any(|l| l.start <= idx && idx < l.end);
    let mut used_numbers = vec![false; tokens.len()];

    let comparisons = find_comparisons(tokens, &mut used_numbers);
    let mut limit = None;
    for (idx, token) in tokens.iter().enumerate() {
        let Some(number) = token.number() else {
            continue;
        };
        if used_numbers[idx] || linked(idx) || number.fract() != 0.0 {
            continue;
        }
        let before = idx.checked_sub(1).map(|i| words[i]);
        let after = words.get(idx + 1).copied();
        let limit_before = matches!(
            before,
            Some("top" | "first" | "show" | "list" | "give" | "me" | "bottom")
        );
        let limit_after = after.is_some_and(|w| {
            SUPERLATIVES.iter().any(|(s, _)| *s == w) || w == "most" || w == "least"
        });
        let is_year = (1900.0..=2100.0).contains(&number) && !limit_before;
        if !is_year
            && (limit_before
                || limit_after
                || after.is_some_and(|_| links.iter().any(|l| l.start == idx + 1)))
        {
            limit = Some(number as u64);
            used_numbers[idx] = true;
        }
    }
    let mut years = Vec::new();
    for (idx, token) in tokens.iter().enumerate() {
        if token.number().is_some() && !used_numbers[idx] && !linked(idx) {
            if (1900.0..=2100.0).contains(&token.number().unwrap_or_default()) {
                years.push((idx, token.text.clone()));
            } else {
                return Err(format!(
                    "the number {} has no clear role in the question",
                    token.text
                ));
            }
        }
    }

    let superlative = words.iter().enumerate().find_map(|(idx, w)| {
        SUPERLATIVES
            .iter()
            .find(|(s, _)| s == w)
            .map(|(_, descending)| (idx, *descending))
    });
    let number_of = words.windows(2).enumerate().any(|(idx, pair)| {
        pair == ["number", "of"]
            && !numeric_starts
                .iter()
                .any(|start| (idx + 2..=idx + 3).contains(start))
    });
    let count = (has("how") && has("many")) || has("count") || number_of;
    let aggregate = if has("average") || has("avg") || has("mean") {
        Some(Aggregate::Avg)
    } else if has("total") || has("sum") {
        Some(Aggregate::Sum)
    } else if has("minimum") || has("min") {
        Some(Aggregate::Min)
    } else if has("maximum") || has("max") {
        Some(Aggregate::Max)
    } else {
        None
    };
    let shape = match (count, aggregate, superlative) {
        (true, _, None) => Shape::Count,
        (false, Some(aggregate), None) => Shape::Aggregate(aggregate),
        (false, None, Some((at, descending))) => {
            let table_before = links.iter().any(|l| l.end <= at && !l.tables().is_empty());
            let table_after = links
                .iter()
                .any(|l| l.start > at && l.start <= at + 3 && !l.tables().is_empty());
            let asks_for_rows = has("which")
                || has("who")
                || has("top")
                || table_before
                || table_after
                || limit.is_some();
            match (asks_for_rows, descending) {
                (true, descending) => Shape::Top { descending, at },
                (false, true) => Shape::Aggregate(Aggregate::Max),
                (false, false) => Shape::Aggregate(Aggregate::Min),
            }
        }
        (false, None, None) => Shape::List,
        _ => return Err("it mixes several kinds of calculation in one question".to_owned()),
    };

    let group_link = find_group_link(&words, links, shape)?;
    let distinct = has("distinct") || has("different") || has("unique");
    Ok(ShapeWords {
        shape,
        limit,
        comparisons,
        group_link,
        years,
        distinct,
    })
}

/// Superlative words and whether they sort highest first.
const SUPERLATIVES: &[(&str, bool)] = &[
    ("highest", true),
    ("largest", true),
    ("biggest", true),
    ("most", true),
    ("best", true),
    ("top", true),
    ("priciest", true),
    ("lowest", false),
    ("smallest", false),
    ("least", false),
    ("fewest", false),
    ("worst", false),
    ("cheapest", false),
];

fn find_comparisons(tokens: &[Token], used_numbers: &mut [bool]) -> Vec<Comparison> {
    let phrases: &[(&[&str], &'static str)] = &[
        (&["more", "than"], ">"),
        (&["greater", "than"], ">"),
        (&["higher", "than"], ">"),
        (&["larger", "than"], ">"),
        (&["bigger", "than"], ">"),
        (&["over"], ">"),
        (&["above"], ">"),
        (&["exceeding"], ">"),
        (&["at", "least"], ">="),
        (&["less", "than"], "<"),
        (&["fewer", "than"], "<"),
        (&["lower", "than"], "<"),
        (&["smaller", "than"], "<"),
        (&["below"], "<"),
        (&["under"], "<"),
        (&["at", "most"], "<="),
        (&["exactly"], "="),
        (&["equal", "to"], "="),
    ];
    let mut comparisons = Vec::new();
    for start in 0..tokens.len() {
        for (words, operator) in phrases {
            let end = start + words.len();
            let matches = end < tokens.len()
                && words
                    .iter()
                    .enumerate()
                    .all(|(i, w)| tokens[start + i].text == *w);
            if matches && tokens[end].number().is_some() && !used_numbers[end] {
                used_numbers[end] = true;
                comparisons.push(Comparison {
                    operator,
                    number: tokens[end].text.clone(),
                    start,
                    number_at: end,
                });
            }
        }
    }
    comparisons
}

fn find_group_link(words: &[&str], links: &[Link], shape: Shape) -> Result<Option<usize>, String> {
    for (idx, word) in words.iter().enumerate() {
        let groups = match *word {
            "per" | "each" | "every" => true,
            "by" => !matches!(shape, Shape::Top { .. } | Shape::List),
            _ => false,
        };
        if !groups {
            continue;
        }
        let mut next = idx + 1;
        while words
            .get(next)
            .is_some_and(|w| matches!(*w, "the" | "each" | "every" | "a"))
        {
            next += 1;
        }
        if links.iter().any(|l| l.start == next && l.is_value()) {
            continue;
        }
        return match links.iter().position(|l| l.start == next) {
            Some(link_idx) => Ok(Some(link_idx)),
            None => Err(format!("it could not tell what \"{word}\" groups by")),
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::tokenize;

    fn shape_of(question: &str) -> ShapeWords {
        detect(&tokenize(question), &[], &[]).unwrap()
    }

    #[test]
    fn how_many_is_a_count_and_average_is_an_aggregate() {
        assert_eq!(
            shape_of("how many restaurants are there").shape,
            Shape::Count
        );
        assert_eq!(
            shape_of("average rating of restaurants").shape,
            Shape::Aggregate(Aggregate::Avg)
        );
    }

    #[test]
    fn top_with_a_number_sets_the_limit() {
        let words = shape_of("top 3 restaurants by rating");

        assert!(matches!(
            words.shape,
            Shape::Top {
                descending: true,
                ..
            }
        ));
        assert_eq!(words.limit, Some(3));
    }

    #[test]
    fn comparison_phrases_capture_their_number() {
        let words = shape_of("restaurants with a rating above 4.5");

        assert_eq!(words.comparisons.len(), 1);
        assert_eq!(words.comparisons[0].operator, ">");
        assert_eq!(words.comparisons[0].number, "4.5");
    }

    #[test]
    fn a_number_without_a_role_is_declined() {
        let result = detect(&tokenize("restaurants 17 rating"), &[], &[]);

        assert!(result.is_err());
    }
}
