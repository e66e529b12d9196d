//! Splits questions and identifiers into comparable lowercase words and reduces words to stems,
//! so "restaurants", "restaurant" and "Restaurant" compare equal and "which" never matches "hi".
//!
//! Invariant: tokenization is pure and deterministic; it never consults the schema.

/// One word or number of a question.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Lowercase text of the word (numbers keep their decimal point).
    pub(crate) text: String,
    /// Stem used for matching against schema words.
    pub(crate) stem: String,
    /// `true` when the word was written with a leading capital letter.
    pub(crate) capitalized: bool,
}

impl Token {
    /// The token's value when it is a number.
    pub(crate) fn number(&self) -> Option<f64> {
        if self.text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            self.text.parse().ok()
        } else {
            None
        }
    }
}

/// Splits a question into words and numbers; punctuation separates words and is dropped.
pub(crate) fn tokenize(question: &str) -> Vec<Token> {
    let chars: Vec<char> = question.chars().collect();
    let mut tokens = Vec::new();
    let mut char_idx = 0;
    while char_idx < chars.len() {
        let c = chars[char_idx];
        if !c.is_alphanumeric() {
            char_idx += 1;
            continue;
        }
        let start = char_idx;
        let numeric = c.is_ascii_digit();
        while char_idx < chars.len() {
            let next = chars[char_idx];
            let continues_number = numeric
                && (next == '.' || next == ',')
                && chars.get(char_idx + 1).is_some_and(|d| d.is_ascii_digit());
            if next.is_alphanumeric() || continues_number {
                char_idx += 1;
            } else {
                break;
            }
        }
        let raw: String = chars[start..char_idx]
            .iter()
            .filter(|c| **c != ',')
            .collect();
        let text = raw.to_lowercase();
        // "what's" and "restaurant's" end up as "what s"; the lone "s" carries no meaning.
        if text == "s" && start > 0 && chars[start - 1] == '\'' {
            continue;
        }
        tokens.push(Token {
            stem: stem(&text),
            capitalized: c.is_uppercase(),
            text,
        });
    }
    tokens
}

/// Splits an identifier written in snake_case, camelCase or with digits into lowercase words.
pub(crate) fn identifier_words(identifier: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in identifier.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Reduces a lowercase word to a stem: plural and verb endings are removed, so "cities" and
/// "city", "rated" and "rating", "sales" and "sale" share a stem.
pub(crate) fn stem(word: &str) -> String {
    let word = singular(word);
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word;
    }
    for suffix in ["ing", "ed", "e"] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.len() >= 3
        {
            return base.to_owned();
        }
    }
    word
}

/// The singular form of a lowercase English word under the common regular rules.
pub(crate) fn singular(word: &str) -> String {
    let irregular = [
        ("people", "person"),
        ("salespeople", "salesperson"),
        ("children", "child"),
        ("men", "man"),
        ("women", "woman"),
    ];
    if let Some((_, one)) = irregular.iter().find(|(many, _)| *many == word) {
        return (*one).to_owned();
    }
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_owned();
    }
    if let Some(base) = word.strip_suffix("ies") {
        return format!("{base}y");
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if let Some(base) = word.strip_suffix(suffix) {
            return format!("{base}{}", &suffix[..suffix.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(base) => base.to_owned(),
        None => word.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_lowercases_words_and_keeps_decimal_numbers() {
        let tokens = tokenize("Restaurants rated above 4.5, please!");

        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["restaurants", "rated", "above", "4.5", "please"]);
        assert!(tokens[0].capitalized);
        assert_eq!(tokens[3].number(), Some(4.5));
    }

    #[test]
    fn tokenize_drops_possessive_s_and_thousands_separators() {
        let tokens = tokenize("what's the car's cost over 40,000");

        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["what", "the", "car", "cost", "over", "40000"]);
    }

    #[test]
    fn identifier_words_split_snake_and_camel_case() {
        assert_eq!(identifier_words("food_type"), ["food", "type"]);
        assert_eq!(identifier_words("sbCustName"), ["sb", "cust", "name"]);
        assert_eq!(
            identifier_words("sbCustAddress1"),
            ["sb", "cust", "address1"]
        );
    }

    #[test]
    fn stems_of_singular_and_plural_forms_are_equal() {
        assert_eq!(stem("cities"), stem("city"));
        assert_eq!(stem("restaurants"), stem("restaurant"));
        assert_eq!(stem("rated"), stem("rating"));
        assert_eq!(stem("sales"), stem("sale"));
        assert_eq!(stem("addresses"), stem("address"));
        assert_ne!(stem("which"), stem("hi"));
    }
}
