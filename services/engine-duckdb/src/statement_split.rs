//! Lexical view of SQL text: which parts are code, which are quoted or commented out, and
//! where one statement ends and the next begins.
//!
//! Invariant: a semicolon inside a string, a quoted identifier, a comment or a dollar-quoted
//! body never ends a statement; the scanner never fails, unterminated quotes run to the end.

/// What a piece of SQL text is, lexically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentKind {
    /// Keywords, identifiers, numbers, operators and whitespace.
    Code,
    /// A string literal, quoted identifier or dollar-quoted body, quotes included.
    Quoted,
    /// A `--` or `/* */` comment.
    Comment,
}

/// A maximal run of SQL text of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    /// Lexical kind of the text.
    pub(crate) kind: SegmentKind,
    /// The text, exactly as written.
    pub(crate) text: &'a str,
}

/// Splits SQL text into lexical segments; concatenating their texts gives the input back.
pub(crate) fn segments(sql: &str) -> Vec<Segment<'_>> {
    let bytes = sql.as_bytes();
    let mut segments = Vec::new();
    let mut code_start = 0;
    let mut idx = 0;
    while idx < bytes.len() {
        let special_end = match bytes[idx] {
            b'\'' => Some((
                SegmentKind::Quoted,
                quoted_end(bytes, idx, b'\'', has_escape_prefix(bytes, idx)),
            )),
            b'"' => Some((SegmentKind::Quoted, quoted_end(bytes, idx, b'"', false))),
            b'-' if bytes.get(idx + 1) == Some(&b'-') => {
                Some((SegmentKind::Comment, line_comment_end(bytes, idx)))
            }
            b'/' if bytes.get(idx + 1) == Some(&b'*') => {
                Some((SegmentKind::Comment, block_comment_end(bytes, idx)))
            }
            b'$' => dollar_quoted_end(bytes, idx).map(|end| (SegmentKind::Quoted, end)),
            _ => None,
        };
        match special_end {
            Some((kind, end)) => {
                if code_start < idx {
                    segments.push(Segment {
                        kind: SegmentKind::Code,
                        text: &sql[code_start..idx],
                    });
                }
                segments.push(Segment {
                    kind,
                    text: &sql[idx..end],
                });
                idx = end;
                code_start = end;
            }
            None => idx += 1,
        }
    }
    if code_start < bytes.len() {
        segments.push(Segment {
            kind: SegmentKind::Code,
            text: &sql[code_start..],
        });
    }
    segments
}

/// The statements of SQL text, trimmed and without their terminating semicolons.
///
/// Statements holding only whitespace and comments are dropped, so `SELECT 1; -- done` is one
/// statement and an empty text is none.
pub(crate) fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut has_content = false;
    for segment in segments(sql) {
        if segment.kind != SegmentKind::Code {
            has_content |= segment.kind == SegmentKind::Quoted;
            current.push_str(segment.text);
            continue;
        }
        let mut parts = segment.text.split(';');
        let first = parts.next().unwrap_or_default();
        has_content |= !first.trim().is_empty();
        current.push_str(first);
        for part in parts {
            if has_content {
                statements.push(current.trim().to_owned());
            }
            current = part.to_owned();
            has_content = !part.trim().is_empty();
        }
    }
    if has_content {
        statements.push(current.trim().to_owned());
    }
    statements
}

/// What replaces one word of code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WordReplacement {
    /// Text written instead of the word.
    pub(crate) text: String,
    /// Bytes right after the word that the replacement also consumes (e.g. `()` or `.`).
    pub(crate) extra_bytes: usize,
}

/// Where a word of code stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordContext<'a> {
    /// The word: a run of letters, digits and `_`.
    pub(crate) word: &'a str,
    /// The code right after the word, up to the next quote or comment.
    pub(crate) rest: &'a str,
    /// `true` when the word is qualified, as in `t.word`.
    pub(crate) follows_dot: bool,
}

/// Rewrites words of code, leaving strings, quoted identifiers and comments untouched;
/// `replace` returns `None` to keep a word.
pub(crate) fn rewrite_words(
    sql: &str,
    mut replace: impl FnMut(WordContext<'_>) -> Option<WordReplacement>,
) -> String {
    let mut rewritten = String::with_capacity(sql.len());
    for segment in segments(sql) {
        if segment.kind != SegmentKind::Code {
            rewritten.push_str(segment.text);
            continue;
        }
        let code = segment.text;
        let mut idx = 0;
        while let Some(ch) = code[idx..].chars().next() {
            if !is_word_char(ch) {
                rewritten.push(ch);
                idx += ch.len_utf8();
                continue;
            }
            let end = code[idx..]
                .find(|next: char| !is_word_char(next))
                .map_or(code.len(), |offset| idx + offset);
            let context = WordContext {
                word: &code[idx..end],
                rest: &code[end..],
                follows_dot: code[..idx].ends_with('.'),
            };
            match replace(context) {
                Some(replacement) => {
                    rewritten.push_str(&replacement.text);
                    idx = (end + replacement.extra_bytes).min(code.len());
                }
                None => {
                    rewritten.push_str(context.word);
                    idx = end;
                }
            }
        }
    }
    rewritten
}

/// `true` for characters that make up SQL words (keywords, identifiers, numbers).
pub(crate) fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || !byte.is_ascii()
}

/// `true` when the quote at `idx` opens an `E'...'` string, in which backslashes escape.
fn has_escape_prefix(bytes: &[u8], idx: usize) -> bool {
    idx >= 1
        && matches!(bytes[idx - 1], b'e' | b'E')
        && (idx < 2 || !is_identifier_byte(bytes[idx - 2]))
}

/// End (exclusive) of the quoted run opened at `start`; a doubled quote stays inside.
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslash_escapes: bool) -> usize {
    let mut idx = start + 1;
    while idx < bytes.len() {
        if backslash_escapes && bytes[idx] == b'\\' {
            idx += 2;
            continue;
        }
        if bytes[idx] == quote {
            if bytes.get(idx + 1) == Some(&quote) {
                idx += 2;
                continue;
            }
            return idx + 1;
        }
        idx += 1;
    }
    bytes.len()
}

fn line_comment_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(bytes.len(), |offset| start + offset)
}

/// End (exclusive) of the block comment opened at `start`; block comments nest.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0_usize;
    let mut idx = start;
    while idx + 1 < bytes.len() {
        match (bytes[idx], bytes[idx + 1]) {
            (b'/', b'*') => {
                depth += 1;
                idx += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                idx += 2;
                if depth == 0 {
                    return idx;
                }
            }
            _ => idx += 1,
        }
    }
    bytes.len()
}

/// End (exclusive) of a `$tag$ ... $tag$` body opened at `start`, or `None` when the dollar
/// sign does not open one (a positional parameter like `$1`, or part of an identifier).
fn dollar_quoted_end(bytes: &[u8], start: usize) -> Option<usize> {
    if start > 0 && is_identifier_byte(bytes[start - 1]) {
        return None;
    }
    let tag_len = bytes[start + 1..]
        .iter()
        .position(|&byte| !is_identifier_byte(byte))?;
    let tag_end = start + 1 + tag_len;
    let starts_with_digit = bytes.get(start + 1).is_some_and(u8::is_ascii_digit);
    if bytes.get(tag_end) != Some(&b'$') || (tag_len > 0 && starts_with_digit) {
        return None;
    }
    let delimiter = &bytes[start..=tag_end];
    let body_start = tag_end + 1;
    let close = bytes[body_start..]
        .windows(delimiter.len())
        .position(|window| window == delimiter);
    Some(close.map_or(bytes.len(), |offset| body_start + offset + delimiter.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_with_a_trailing_semicolon_and_comment_is_one_statement() {
        let statements = split_statements("SELECT 1; -- done\n");

        assert_eq!(statements, vec!["SELECT 1".to_owned()]);
    }

    #[test]
    fn two_statements_are_split_at_the_semicolon() {
        let statements = split_statements("SELECT 1; SELECT 2");

        assert_eq!(
            statements,
            vec!["SELECT 1".to_owned(), "SELECT 2".to_owned()]
        );
    }

    #[test]
    fn semicolons_inside_strings_identifiers_and_comments_do_not_split() {
        let sql = "SELECT 'a;b', \"c;d\", E'\\';' /* x; /* y; */ z; */ -- w;\nFROM t";

        let statements = split_statements(sql);

        assert_eq!(statements.len(), 1);
    }

    #[test]
    fn dollar_quoted_bodies_do_not_split_but_parameters_are_code() {
        let statements = split_statements("SELECT $body$ a; b $body$, $$;$$; SELECT $1");

        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1], "SELECT $1");
    }

    #[test]
    fn empty_and_comment_only_text_has_no_statements() {
        assert!(split_statements("  ;; -- nothing\n /* here */ ;").is_empty());
    }

    #[test]
    fn words_are_rewritten_in_code_only() {
        let sql = "SELECT t.now, now () FROM x WHERE s = 'now()' -- now()";

        let rewritten = rewrite_words(sql, |context| {
            let is_call =
                context.word == "now" && !context.follows_dot && context.rest.starts_with(" ()");
            is_call.then(|| WordReplacement {
                text: "NOW".to_owned(),
                extra_bytes: 3,
            })
        });

        assert_eq!(
            rewritten,
            "SELECT t.now, NOW FROM x WHERE s = 'now()' -- now()"
        );
    }

    #[test]
    fn segments_give_the_input_back_when_concatenated() {
        let sql = "INSERT INTO t VALUES ('it''s', \"q\") -- c\n/* b */;";

        let rebuilt: String = segments(sql).iter().map(|segment| segment.text).collect();

        assert_eq!(rebuilt, sql);
    }
}
