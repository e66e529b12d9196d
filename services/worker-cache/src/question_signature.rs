//! [`question_signature`]: the canonical form of a data question, used to accept paraphrases
//! whose embeddings are close but below the cache threshold ("how many restaurants are there"
//! and "count the restaurants" both read `count restaurant`).
//!
//! Invariant: only filler words are dropped and only aggregate phrasings and plural endings are
//! unified; negations, numbers, quoted values, prepositions and word order are kept, so two
//! questions with equal signatures ask for the same thing.

/// Words that carry no meaning in a data question.
const FILLER_WORDS: &[&str] = &[
    "a", "an", "the", "are", "is", "was", "were", "there", "here", "what", "which", "me", "show",
    "list", "give", "tell", "please", "can", "could", "you", "i", "want", "to", "know", "do",
    "does", "we", "have", "has", "all", "of", "be", "get", "find", "display", "our", "my",
];

/// Multi-word aggregate phrasings and their canonical operator, longest first.
const AGGREGATE_PHRASES: &[(&[&str], &str)] = &[
    (&["what", "is", "the", "total", "number", "of"], "count"),
    (&["what", "is", "the", "number", "of"], "count"),
    (&["the", "total", "number", "of"], "count"),
    (&["total", "number", "of"], "count"),
    (&["the", "number", "of"], "count"),
    (&["number", "of"], "count"),
    (&["how", "many"], "count"),
    (&["count", "of"], "count"),
    (&["count"], "count"),
    (&["average"], "avg"),
    (&["mean"], "avg"),
    (&["sum", "of"], "sum"),
    (&["sum"], "sum"),
    (&["highest"], "max"),
    (&["maximum"], "max"),
    (&["largest"], "max"),
    (&["lowest"], "min"),
    (&["minimum"], "min"),
    (&["smallest"], "min"),
];

/// The canonical words of `question`, in order; empty when nothing meaningful is left.
pub fn question_signature(question: &str) -> Vec<String> {
    let words = tokenize(question);
    let mut signature = Vec::new();
    let mut word_idx = 0;
    'words: while word_idx < words.len() {
        for (phrase, operator) in AGGREGATE_PHRASES {
            let end = word_idx + phrase.len();
            if end <= words.len()
                && words[word_idx..end]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(a, b)| a == b)
            {
                signature.push((*operator).to_owned());
                word_idx = end;
                continue 'words;
            }
        }
        let word = &words[word_idx];
        if !FILLER_WORDS.contains(&word.as_str()) {
            signature.push(singular(word));
        }
        word_idx += 1;
    }
    signature
}

/// Lowercase words and numbers; a quoted value stays one token, with its quotes.
fn tokenize(question: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for character in question.chars() {
        match quote {
            Some(open) => {
                current.push(character);
                if character == open {
                    tokens.push(std::mem::take(&mut current));
                    quote = None;
                }
            }
            None if character == '\'' || character == '"' => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current).to_lowercase());
                }
                current.push(character);
                quote = Some(character);
            }
            None if character.is_alphanumeric() || character == '.' && !current.is_empty() => {
                current.push(character);
            }
            None => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current).to_lowercase());
                }
            }
        }
    }
    if !current.is_empty() {
        tokens.push(current.to_lowercase());
    }
    tokens
        .into_iter()
        .map(|token| token.trim_end_matches('.').to_owned())
        .filter(|token| !token.is_empty())
        .collect()
}

/// A plural noun's singular for the common English endings; other words unchanged.
fn singular(word: &str) -> String {
    if word.starts_with(['\'', '"']) || word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit())
    {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if word.ends_with("sses")
        || word.ends_with("ches")
        || word.ends_with("shes")
        || word.ends_with("xes")
    {
        return word[..word.len() - 2].to_owned();
    }
    if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(question: &str) -> String {
        question_signature(question).join(" ")
    }

    #[test]
    fn count_paraphrases_share_a_signature() {
        assert_eq!(
            signature("how many restaurants are there"),
            "count restaurant"
        );
        assert_eq!(signature("Count the restaurants."), "count restaurant");
        assert_eq!(
            signature("What is the number of restaurants?"),
            "count restaurant"
        );
        assert_eq!(signature("number of restaurants"), "count restaurant");
    }

    #[test]
    fn different_questions_keep_different_signatures() {
        let pairs = [
            (
                "how many restaurants are there",
                "how many cities are there",
            ),
            (
                "restaurants in 'San Francisco'",
                "restaurants not in 'San Francisco'",
            ),
            (
                "flights from boston to denver",
                "flights from denver to boston",
            ),
            ("orders in 2023", "orders in 2024"),
            (
                "average rating of restaurants",
                "highest rating of restaurants",
            ),
            ("restaurants in 'Paris'", "restaurants in 'paris'"),
        ];
        for (a, b) in pairs {
            assert_ne!(signature(a), signature(b), "{a} / {b}");
        }
    }

    #[test]
    fn plural_endings_are_unified_and_quoted_values_kept_whole() {
        assert_eq!(signature("list the cities"), "city");
        assert_eq!(signature("show all addresses"), "address");
        assert_eq!(
            signature("restaurants named \"The Place\""),
            "restaurant named \"The Place\""
        );
        assert!(question_signature("what is there?").is_empty());
    }
}
