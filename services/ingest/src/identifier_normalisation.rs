//! Turning header cells and folder names into `snake_case` SQL identifiers that need no
//! quoting in DuckDB, PostgreSQL or the Glue catalog.
//!
//! Invariant: the result is empty (refused by the caller) or matches `[a-z_][a-z0-9_]{0,62}`.

/// Longest identifier produced, in bytes (PostgreSQL's limit).
pub(crate) const MAX_IDENTIFIER_BYTES: usize = 63;

/// `true` for a datasource name an upload may use: snake_case (lowercase letters, digits and
/// single `_`), starting with a letter, at most [`MAX_IDENTIFIER_BYTES`] (63) bytes, so it is
/// its own normalised identifier.
pub fn is_datasource_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && normalise_identifier(name, "").as_deref() == Some(name)
}

/// `snake_case` form of `raw`: words split at spaces, punctuation and camelCase humps,
/// accented Latin letters folded to ASCII, lowercased and joined by `_`; a leading digit gets
/// `digit_prefix` in front. `None` when no letter or digit is left.
pub fn normalise_identifier(raw: &str, digit_prefix: &str) -> Option<String> {
    let chars: Vec<char> = raw.trim().chars().map(fold_latin_letter).collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (char_idx, &character) in chars.iter().enumerate() {
        if !character.is_ascii_alphanumeric() {
            flush(&mut current, &mut words);
            continue;
        }
        let previous = char_idx.checked_sub(1).map(|idx| chars[idx]);
        let next = chars.get(char_idx + 1).copied();
        let starts_hump = character.is_ascii_uppercase()
            && previous.is_some_and(|previous| {
                previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || (previous.is_ascii_uppercase()
                        && next.is_some_and(|next| next.is_ascii_lowercase()))
            });
        if starts_hump {
            flush(&mut current, &mut words);
        }
        current.push(character.to_ascii_lowercase());
    }
    flush(&mut current, &mut words);
    if words.is_empty() {
        return None;
    }
    let mut identifier = words.join("_");
    if identifier.starts_with(|c: char| c.is_ascii_digit()) {
        identifier.insert_str(0, digit_prefix);
    }
    identifier.truncate(MAX_IDENTIFIER_BYTES);
    while identifier.ends_with('_') {
        identifier.pop();
    }
    Some(identifier)
}

fn flush(current: &mut String, words: &mut Vec<String>) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

/// The ASCII base letter of an accented Latin-1 letter; other characters unchanged.
fn fold_latin_letter(character: char) -> char {
    match character {
        'À'..='Å' => 'A',
        'à'..='å' => 'a',
        'Ç' => 'C',
        'ç' => 'c',
        'È'..='Ë' => 'E',
        'è'..='ë' => 'e',
        'Ì'..='Ï' => 'I',
        'ì'..='ï' => 'i',
        'Ñ' => 'N',
        'ñ' => 'n',
        'Ò'..='Ö' | 'Ø' => 'O',
        'ò'..='ö' | 'ø' => 'o',
        'Ù'..='Ü' => 'U',
        'ù'..='ü' => 'u',
        'Ý' => 'Y',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasource_names_are_snake_case_identifiers_of_at_most_63_bytes() {
        for name in ["shop", "shop_2024", "a", &"a".repeat(63)] {
            assert!(is_datasource_name(name), "{name}");
        }
        for name in [
            "",
            "Shop",
            "2shop",
            "shop-x",
            "shop.x",
            "../shop",
            &"a".repeat(64),
        ] {
            assert!(!is_datasource_name(name), "{name}");
        }
    }

    #[test]
    fn header_cells_become_snake_case() {
        let cases = [
            ("Customer Name", "customer_name"),
            ("customerName", "customer_name"),
            ("HTTPStatus code", "http_status_code"),
            ("  Total (EUR) ", "total_eur"),
            ("Prénom", "prenom"),
            ("order-id", "order_id"),
            ("2023 sales", "col_2023_sales"),
            ("already_snake", "already_snake"),
        ];

        for (raw, expected) in cases {
            assert_eq!(
                normalise_identifier(raw, "col_").as_deref(),
                Some(expected),
                "{raw}"
            );
        }
    }

    #[test]
    fn cells_without_letters_or_digits_give_no_identifier() {
        assert_eq!(normalise_identifier("", "col_"), None);
        assert_eq!(normalise_identifier(" ?! ", "col_"), None);
    }

    #[test]
    fn long_names_are_cut_to_the_identifier_limit() {
        let identifier = normalise_identifier(&"a".repeat(100), "col_").unwrap();

        assert_eq!(identifier.len(), MAX_IDENTIFIER_BYTES);
    }
}
