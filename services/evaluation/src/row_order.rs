//! Whether a comparison must respect the order of rows.
//!
//! Invariant: order only ever matters when the gold query itself orders its outermost result;
//! a gold query without `ORDER BY` returns rows in no defined order.

/// How rows are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOrder {
    /// As multisets: order is ignored, duplicates count.
    Unordered,
    /// In the gold order; rows tied on a sorted column may be swapped.
    Ordered,
}

/// Words of a question that ask for an order (sql-eval looks for `order`, `sort`, `arrange`).
const ORDER_WORDS: &[&str] = &[
    "order", "ordered", "ordering", "sort", "sorted", "sorting", "arrange", "arranged",
];

/// The sql-eval category whose questions all ask for an order.
const ORDER_BY_CATEGORY: &str = "order_by";

/// [`RowOrder::Ordered`] when the question asks for an order (its category is `order_by`, or it
/// says "order", "sort" or "arrange") and `gold_sql` has an outermost `ORDER BY`.
pub fn row_order(question: &str, category: &str, gold_sql: &str) -> RowOrder {
    let question_asks = category.trim().eq_ignore_ascii_case(ORDER_BY_CATEGORY)
        || question
            .split(|character: char| !character.is_alphanumeric())
            .any(|word| ORDER_WORDS.contains(&word.to_lowercase().as_str()));
    if question_asks && has_outermost_order_by(gold_sql) {
        RowOrder::Ordered
    } else {
        RowOrder::Unordered
    }
}

/// `true` when `ORDER BY` appears outside parentheses, quotes and comments.
fn has_outermost_order_by(sql: &str) -> bool {
    let mut depth = 0_usize;
    let mut words_at_depth_zero: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut characters = sql.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\'' | '"' => {
                flush(&mut word, depth, &mut words_at_depth_zero);
                for quoted in characters.by_ref() {
                    if quoted == character {
                        break;
                    }
                }
            }
            '-' if characters.peek() == Some(&'-') => {
                flush(&mut word, depth, &mut words_at_depth_zero);
                for commented in characters.by_ref() {
                    if commented == '\n' {
                        break;
                    }
                }
            }
            '(' => {
                flush(&mut word, depth, &mut words_at_depth_zero);
                depth += 1;
            }
            ')' => {
                flush(&mut word, depth, &mut words_at_depth_zero);
                depth = depth.saturating_sub(1);
            }
            _ if character.is_alphanumeric() || character == '_' => word.push(character),
            _ => flush(&mut word, depth, &mut words_at_depth_zero),
        }
    }
    flush(&mut word, depth, &mut words_at_depth_zero);
    words_at_depth_zero
        .windows(2)
        .any(|pair| pair[0] == "ORDER" && pair[1] == "BY")
}

/// Ends the current word, keeping it (upper-cased) when it is outside parentheses.
fn flush(word: &mut String, depth: usize, words_at_depth_zero: &mut Vec<String>) {
    if depth == 0 && !word.is_empty() {
        words_at_depth_zero.push(word.to_ascii_uppercase());
    }
    word.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_by_question_with_an_ordered_gold_query_is_ordered() {
        let gold_sql = "SELECT name FROM city ORDER BY population DESC NULLS LAST LIMIT 5";

        assert_eq!(
            row_order("Top 5 cities by population", "order_by", gold_sql),
            RowOrder::Ordered
        );
        assert_eq!(
            row_order("List cities, sorted by population", "group_by", gold_sql),
            RowOrder::Ordered
        );
    }

    #[test]
    fn order_is_ignored_unless_the_question_asks_for_it() {
        let gold_sql = "SELECT year, COUNT(*) FROM publication GROUP BY year ORDER BY year";

        assert_eq!(
            row_order("How many publications per year?", "group_by", gold_sql),
            RowOrder::Unordered
        );
    }

    #[test]
    fn an_order_by_inside_parentheses_or_strings_does_not_order_the_result() {
        let windowed = "SELECT name, RANK() OVER (ORDER BY rating) FROM restaurant";
        let quoted = "SELECT name FROM restaurant WHERE note = 'ORDER BY rating'";

        assert_eq!(
            row_order("order them", "order_by", windowed),
            RowOrder::Unordered
        );
        assert_eq!(
            row_order("order them", "order_by", quoted),
            RowOrder::Unordered
        );
    }
}
