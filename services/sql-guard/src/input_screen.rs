//! Screens the raw SQL text before parsing: the byte cap and characters that hide text from
//! reviewers or are read differently by parsers (control, zero-width and bidi characters).
//!
//! Invariant: runs in one linear pass over the text and never allocates per character.

use crate::guard_rejection::GuardRejection;

/// Longest SQL text the guard accepts, in bytes.
pub const MAX_SQL_BYTES: usize = 100_000;

/// Rejects text over the byte cap or holding a hidden character.
pub(crate) fn screen_text(sql: &str) -> Result<(), GuardRejection> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(GuardRejection::TooLong {
            n_bytes: sql.len(),
            max_bytes: MAX_SQL_BYTES,
        });
    }
    if let Some(byte_offset) = bare_carriage_return(sql) {
        return Err(GuardRejection::AmbiguousSyntax(format!(
            "a carriage return without a line feed at byte {byte_offset} (it ends a -- comment \
             for some engines but not for others)"
        )));
    }
    match sql
        .char_indices()
        .find(|(_, character)| is_hidden(*character))
    {
        Some((byte_offset, character)) => Err(GuardRejection::HiddenCharacter {
            code_point: u32::from(character),
            byte_offset,
        }),
        None => Ok(()),
    }
}

/// Byte offset of the first `\r` not followed by `\n`.
fn bare_carriage_return(sql: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    bytes
        .iter()
        .enumerate()
        .find(|(byte_idx, byte)| **byte == b'\r' && bytes.get(byte_idx + 1) != Some(&b'\n'))
        .map(|(byte_idx, _)| byte_idx)
}

/// `true` for characters that have no business in generated SQL.
fn is_hidden(character: char) -> bool {
    match character {
        '\t' | '\n' | '\r' => false,
        // C0 and C1 control characters, including NUL and DEL.
        _ if character.is_control() => true,
        // Soft hyphen and Arabic letter mark render as nothing.
        '\u{00AD}' | '\u{061C}' => true,
        // Zero-width space, non-joiner, joiner, left-to-right and right-to-left marks.
        '\u{200B}'..='\u{200F}' => true,
        // Line and paragraph separators: some tools end `--` comments there, engines do not.
        '\u{2028}' | '\u{2029}' => true,
        // Bidi embeddings and overrides.
        '\u{202A}'..='\u{202E}' => true,
        // Word joiner and invisible operators.
        '\u{2060}'..='\u{2064}' => true,
        // Bidi isolates.
        '\u{2066}'..='\u{2069}' => true,
        // Byte-order mark and zero-width no-break space.
        '\u{FEFF}' => true,
        _ => false,
    }
}
