//! The offline planner's rewrite of follow-up questions: a short message that opens with a
//! connector ("and for February?", "what about 2023?") takes the previous question and swaps
//! in the new month, year or value, or appends the new condition.
//!
//! Invariant: a question that does not read as a follow-up, or has no earlier turn, comes back
//! unchanged.

use ports::job_store::ConversationTurn;

/// Openers that mark a follow-up, longest first; the rest of the message is the change.
const CONNECTORS: &[&str] = &[
    "and what about",
    "and how about",
    "what about",
    "how about",
    "same but",
    "same",
    "and",
    "now",
    "also",
    "only",
];

/// Words that open a condition and are kept when it is appended.
const PREPOSITIONS: &[&str] = &[
    "for", "in", "at", "on", "from", "to", "with", "without", "by", "during", "since", "before",
    "after", "between", "where", "of",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The standalone form of `question` given the earlier `turns` (oldest first).
pub(crate) fn rewrite(question: &str, turns: &[ConversationTurn]) -> String {
    let Some(previous) = turns.last() else {
        return question.to_owned();
    };
    let trimmed = question.trim().trim_end_matches(['?', '.', '!']).trim();
    let lowered = trimmed.to_lowercase();
    let Some(change) = CONNECTORS.iter().find_map(|connector| {
        lowered
            .strip_prefix(connector)
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .map(|_| trimmed[connector.len()..].trim())
    }) else {
        return question.to_owned();
    };
    if change.is_empty() {
        return previous.question.clone();
    }
    let base = previous
        .question
        .trim()
        .trim_end_matches(['?', '.', '!'])
        .trim();
    let change_words: Vec<&str> = change.split_whitespace().collect();
    let replaced = replace_matching_word(base, &change_words, is_month)
        .or_else(|| replace_matching_word(base, &change_words, is_year));
    match replaced {
        Some(rewritten) => format!("{rewritten}?"),
        None => {
            let opens_with_preposition = change_words
                .first()
                .is_some_and(|word| PREPOSITIONS.contains(&word.to_lowercase().as_str()));
            if opens_with_preposition {
                format!("{base} {change}?")
            } else {
                format!("{base} for {change}?")
            }
        }
    }
}

/// `base` with its first word of the kind `is_kind` replaced by the change's word of that kind.
fn replace_matching_word(
    base: &str,
    change_words: &[&str],
    is_kind: fn(&str) -> bool,
) -> Option<String> {
    let new_word = change_words
        .iter()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|word| is_kind(word))?;
    let mut replaced = false;
    let words: Vec<String> = base
        .split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
            if !replaced && is_kind(bare) {
                replaced = true;
                word.replace(bare, new_word)
            } else {
                word.to_owned()
            }
        })
        .collect();
    replaced.then(|| words.join(" "))
}

fn is_month(word: &str) -> bool {
    MONTHS.contains(&word.to_lowercase().as_str())
}

fn is_year(word: &str) -> bool {
    word.len() == 4
        && word.chars().all(|c| c.is_ascii_digit())
        && (word.starts_with("19") || word.starts_with("20"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(question: &str) -> ConversationTurn {
        ConversationTurn {
            question: question.to_owned(),
            sql: None,
            answer: None,
        }
    }

    #[test]
    fn a_month_or_year_follow_up_replaces_the_previous_one() {
        let turns = [turn("How many orders were placed in January 2024?")];

        assert_eq!(
            rewrite("and for February?", &turns),
            "How many orders were placed in February 2024?"
        );
        assert_eq!(
            rewrite("what about 2023", &turns),
            "How many orders were placed in January 2023?"
        );
    }

    #[test]
    fn a_new_condition_is_appended_to_the_previous_question() {
        let turns = [turn("How many restaurants are there")];

        assert_eq!(
            rewrite("and in San Francisco?", &turns),
            "How many restaurants are there in San Francisco?"
        );
        assert_eq!(
            rewrite("what about italian food", &turns),
            "How many restaurants are there for italian food?"
        );
    }

    #[test]
    fn a_question_that_stands_alone_is_unchanged() {
        let turns = [turn("How many restaurants are there?")];

        assert_eq!(
            rewrite("How many cities are there?", &turns),
            "How many cities are there?"
        );
        assert_eq!(rewrite("and for February?", &[]), "and for February?");
        assert_eq!(rewrite("Android sales", &turns), "Android sales");
    }
}
