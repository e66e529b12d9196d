//! Escaping of text for SVG (XML) text nodes and attribute values, and coordinate formatting.
//!
//! Invariant: whatever the input, the output is well-formed XML character data: markup
//! characters are escaped and characters XML 1.0 forbids are replaced with U+FFFD.

use std::fmt::Write;

/// `text` made safe for an XML text node or a double- or single-quoted attribute value.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '\t' | '\n' | '\r' => escaped.push(' '),
            character if is_forbidden_in_xml(character) => escaped.push('\u{FFFD}'),
            character => escaped.push(character),
        }
    }
    escaped
}

/// `text` cut to at most `max_chars` characters, with an ellipsis when it was cut.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut shortened: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    shortened.push('…');
    shortened
}

/// A pixel coordinate with at most two decimals and no trailing zeros.
pub(crate) fn coordinate(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let mut formatted = String::new();
    // Adding 0.0 turns -0.0 into 0.0.
    write!(formatted, "{}", rounded + 0.0).expect("writing to a String cannot fail");
    formatted
}

/// Approximate width in pixels of `text` in the sans-serif font at `font_size`.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * 0.6
}

fn is_forbidden_in_xml(character: char) -> bool {
    matches!(character, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        let escaped = escape_xml(r#"<script>alert("x") & 'y'</script>"#);

        assert_eq!(
            escaped,
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(
            escape_xml("a\u{0}b\u{1B}c\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
    }

    #[test]
    fn long_text_is_shortened_with_an_ellipsis() {
        assert_eq!(shorten("restaurant name", 8), "restaur…");
        assert_eq!(shorten("short", 8), "short");
    }

    #[test]
    fn coordinates_have_at_most_two_decimals() {
        assert_eq!(coordinate(12.3456), "12.35");
        assert_eq!(coordinate(40.0), "40");
        assert_eq!(coordinate(-0.001), "0");
    }
}
