//! Turning text into terms: lowercase words split on non-alphanumerics, English stop words
//! dropped, light suffix stemming, then the unigrams plus each adjacent pair of words.
//!
//! Invariant: pure functions of the input text; no state, no randomness.

/// Words too common to tell questions apart.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "there", "here",
    "of", "in", "on", "at", "to", "for", "by", "with", "from", "into", "and", "or", "do", "does",
    "did", "have", "has", "had", "i", "me", "my", "we", "our", "us", "you", "your", "it", "its",
    "this", "that", "these", "those", "what", "which", "who", "whom", "please", "can", "could",
    "would", "should", "will", "shall", "may", "might",
];

/// Shortest stem a suffix may leave behind, so short words are not mangled.
const MIN_STEM_LEN: usize = 3;

/// One feature of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    /// A single stemmed word.
    Unigram(String),
    /// Two stemmed words that were adjacent after stop-word removal.
    Bigram(String, String),
}

/// The unigrams of `text` in order, followed by its adjacent bigrams.
///
/// When every word is a stop word, the stop words are kept, so such texts still differ.
pub(crate) fn text_terms(text: &str) -> Vec<Term> {
    let lowercase = text.to_lowercase();
    let words: Vec<&str> = lowercase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let content_words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|word| !STOP_WORDS.contains(word))
        .collect();
    let kept_words = if content_words.is_empty() {
        words
    } else {
        content_words
    };
    let stems: Vec<String> = kept_words.into_iter().map(stem).collect();
    let bigrams = stems
        .windows(2)
        .map(|pair| Term::Bigram(pair[0].clone(), pair[1].clone()));
    let mut terms: Vec<Term> = stems.iter().cloned().map(Term::Unigram).collect();
    terms.extend(bigrams);
    terms
}

/// Strips one common English suffix: `ing`, `ed`, or a plural `ies`/`es`/`s`.
fn stem(word: &str) -> String {
    let long_enough = |stem: &str| stem.chars().count() >= MIN_STEM_LEN;
    if let Some(stem) = word.strip_suffix("ing").filter(|stem| long_enough(stem)) {
        return stem.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ed").filter(|stem| long_enough(stem)) {
        return stem.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies").filter(|stem| long_enough(stem)) {
        return format!("{stem}y");
    }
    let sibilant_plural = |stem: &&str| {
        ["ss", "x", "z", "ch", "sh"]
            .iter()
            .any(|ending| stem.ends_with(ending))
    };
    if let Some(stem) = word
        .strip_suffix("es")
        .filter(|stem| long_enough(stem) && sibilant_plural(stem))
    {
        return stem.to_owned();
    }
    let keeps_final_s = ["ss", "us", "is"]
        .iter()
        .any(|ending| word.ends_with(ending));
    if let Some(stem) = word
        .strip_suffix('s')
        .filter(|stem| long_enough(stem) && !keeps_final_s)
    {
        return stem.to_owned();
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unigram(word: &str) -> Term {
        Term::Unigram(word.into())
    }

    #[test]
    fn punctuation_case_and_stop_words_do_not_change_the_terms() {
        assert_eq!(
            text_terms("How many restaurants are there?"),
            text_terms("how many restaurants are there")
        );
    }

    #[test]
    fn terms_are_unigrams_then_adjacent_bigrams() {
        let terms = text_terms("How many restaurants are there?");

        let expected = vec![
            unigram("how"),
            unigram("many"),
            unigram("restaurant"),
            Term::Bigram("how".into(), "many".into()),
            Term::Bigram("many".into(), "restaurant".into()),
        ];
        assert_eq!(terms, expected);
    }

    #[test]
    fn suffixes_are_stripped_lightly() {
        let cases = [
            ("restaurants", "restaurant"),
            ("boxes", "box"),
            ("dishes", "dish"),
            ("classes", "class"),
            ("categories", "category"),
            ("cases", "case"),
            ("ordered", "order"),
            ("opening", "open"),
            ("class", "class"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("red", "red"),
            ("bus", "bus"),
            ("king", "king"),
        ];

        for (word, expected) in cases {
            assert_eq!(stem(word), expected, "stem of {word}");
        }
    }

    #[test]
    fn a_text_of_only_stop_words_keeps_them() {
        assert_eq!(
            text_terms("What is this?")[..3],
            [unigram("what"), unigram("is"), unigram("this")]
        );
    }

    #[test]
    fn a_text_without_words_has_no_terms() {
        assert!(text_terms(" ?! ").is_empty());
    }
}
