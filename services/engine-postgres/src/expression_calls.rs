//! The function calls in an expression as PostgreSQL's deparser prints it in a plan
//! (`upper((r.name)::text)`, `pg_catalog.pg_sleep('1'::double precision)`): every name or
//! dotted name written immediately before `(`, outside string literals.
//!
//! Invariant: only lexes; text inside a string literal (`'...'` with `''` doubling, `E'...'`
//! with backslash escapes) never yields a call, and a text the deparser could not have written
//! (an unterminated literal or quoted identifier) is an error, never a partial answer.

/// One call found in a deparsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpressionCall {
    /// The function's name parts, outermost first; bare names lowercased as PostgreSQL folds
    /// them, quoted names (`"Weird"`) as written.
    pub(crate) name_parts: Vec<String>,
    /// How many parentheses enclose the call; `0` for a call at the top of the expression.
    pub(crate) depth: usize,
}

/// The expression ends inside a literal or quoted identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an unterminated {0} in a deparsed expression")]
pub(crate) struct UnterminatedToken(&'static str);

/// The calls in `expression`, in the order they are written.
///
/// PostgreSQL's deparser (`ruleutils.c`) writes every function, aggregate and window call as
/// its name directly followed by `(`, so a name followed by whitespace is not a call. SQL
/// syntax the deparser writes the same way (`COALESCE(`, `EXTRACT(`, a type modifier as in
/// `numeric(10,2)`) is reported as a call too; no deny rule matches those names.
pub(crate) fn expression_calls(expression: &str) -> Result<Vec<ExpressionCall>, UnterminatedToken> {
    let chars: Vec<char> = expression.chars().collect();
    let mut calls = Vec::new();
    // The dotted name just read, and whether a `.` after it waits for the next part.
    let mut pending_name: Vec<String> = Vec::new();
    let mut after_dot = false;
    let mut depth = 0_usize;
    let mut char_idx = 0;
    while let Some(&current) = chars.get(char_idx) {
        let next_part = if current == '"' {
            let (identifier, end_idx) = quoted_identifier(&chars, char_idx)?;
            char_idx = end_idx;
            Some(identifier)
        } else if is_identifier_start(current) {
            let end_idx = identifier_end(&chars, char_idx);
            let word: String = chars[char_idx..end_idx].iter().collect();
            if chars.get(end_idx) == Some(&'\'') {
                // A string prefix (`E'...'`, `B'...'`, `X'...'`) opens a literal.
                let backslash_escapes = word.eq_ignore_ascii_case("e");
                char_idx = string_literal_end(&chars, end_idx, backslash_escapes)?;
                pending_name.clear();
                after_dot = false;
                continue;
            }
            char_idx = end_idx;
            Some(word.to_lowercase())
        } else {
            None
        };
        if let Some(part) = next_part {
            if !after_dot {
                pending_name.clear();
            }
            pending_name.push(part);
            after_dot = false;
            continue;
        }
        match current {
            '\'' => {
                char_idx = string_literal_end(&chars, char_idx, false)?;
                pending_name.clear();
                after_dot = false;
                continue;
            }
            '.' if !pending_name.is_empty() && !after_dot => after_dot = true,
            '(' => {
                if !pending_name.is_empty() && !after_dot {
                    calls.push(ExpressionCall {
                        name_parts: std::mem::take(&mut pending_name),
                        depth,
                    });
                }
                depth += 1;
                pending_name.clear();
                after_dot = false;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                pending_name.clear();
                after_dot = false;
            }
            _ if current.is_ascii_digit() || current == '$' => {
                // Numbers (`1e5`, `0x1f`) and parameters (`$1`) are single tokens.
                char_idx = identifier_end(&chars, char_idx + 1);
                pending_name.clear();
                after_dot = false;
                continue;
            }
            _ => {
                pending_name.clear();
                after_dot = false;
            }
        }
        char_idx += 1;
    }
    Ok(calls)
}

fn is_identifier_start(character: char) -> bool {
    character.is_alphabetic() || character == '_' || !character.is_ascii()
}

fn is_identifier_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_' || character == '$' || !character.is_ascii()
}

/// The index just past the identifier characters starting at `start_idx`.
fn identifier_end(chars: &[char], start_idx: usize) -> usize {
    let mut end_idx = start_idx;
    while chars.get(end_idx).copied().is_some_and(is_identifier_char) {
        end_idx += 1;
    }
    end_idx
}

/// The index just past the literal whose opening quote is at `quote_idx`.
fn string_literal_end(
    chars: &[char],
    quote_idx: usize,
    backslash_escapes: bool,
) -> Result<usize, UnterminatedToken> {
    let mut char_idx = quote_idx + 1;
    while let Some(&current) = chars.get(char_idx) {
        match current {
            '\\' if backslash_escapes => char_idx += 2,
            '\'' if chars.get(char_idx + 1) == Some(&'\'') => char_idx += 2,
            '\'' => return Ok(char_idx + 1),
            _ => char_idx += 1,
        }
    }
    Err(UnterminatedToken("string literal"))
}

/// The identifier quoted at `quote_idx` (`""` read as one `"`) and the index just past it.
fn quoted_identifier(
    chars: &[char],
    quote_idx: usize,
) -> Result<(String, usize), UnterminatedToken> {
    let mut identifier = String::new();
    let mut char_idx = quote_idx + 1;
    while let Some(&current) = chars.get(char_idx) {
        if current == '"' {
            if chars.get(char_idx + 1) == Some(&'"') {
                identifier.push('"');
                char_idx += 2;
                continue;
            }
            return Ok((identifier, char_idx + 1));
        }
        identifier.push(current);
        char_idx += 1;
    }
    Err(UnterminatedToken("quoted identifier"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_names(expression: &str) -> Vec<String> {
        expression_calls(expression)
            .unwrap()
            .into_iter()
            .map(|call| call.name_parts.join("."))
            .collect()
    }

    #[test]
    fn nested_and_qualified_calls_are_found_with_their_depth() {
        let calls = expression_calls(
            "(upper((r.name)::text) || pg_catalog.pg_sleep('1'::double precision))",
        )
        .unwrap();

        assert_eq!(
            calls,
            vec![
                ExpressionCall {
                    name_parts: vec!["upper".to_owned()],
                    depth: 1,
                },
                ExpressionCall {
                    name_parts: vec!["pg_catalog".to_owned(), "pg_sleep".to_owned()],
                    depth: 1,
                },
            ]
        );
    }

    #[test]
    fn calls_spelled_inside_string_literals_are_not_calls() {
        let names = call_names(
            "(('it''s pg_sleep(1)'::text || E'\\' current_setting(x)'::text) || lower(x.a))",
        );

        assert_eq!(names, vec!["lower"]);
    }

    #[test]
    fn quoted_names_keep_their_case_and_doubled_quotes() {
        let names = call_names("\"My Schema\".\"Odd\"\"Fn\"(1) + \"t(x\".col + Upper(2)");

        assert_eq!(names, vec!["My Schema.Odd\"Fn", "upper"]);
    }

    #[test]
    fn keywords_columns_numbers_and_parameters_before_a_space_are_not_calls() {
        let names = call_names(
            "((c.relkind = ANY ('{r,p}'::\"char\"[])) AND (count(*) OVER (?) > $1) AND (1e5 > 2))",
        );

        assert_eq!(names, vec!["count"]);
    }

    #[test]
    fn prefixed_literals_such_as_bit_strings_are_skipped() {
        let names = call_names("(B'0101'::bit(4) || X'1f'::bit varying)");

        assert_eq!(names, vec!["bit"]);
    }

    #[test]
    fn an_unterminated_literal_or_identifier_is_an_error() {
        assert_eq!(
            expression_calls("upper('abc"),
            Err(UnterminatedToken("string literal"))
        );
        assert_eq!(
            expression_calls("\"abc(1)"),
            Err(UnterminatedToken("quoted identifier"))
        );
        assert_eq!(
            expression_calls("E'abc\\'"),
            Err(UnterminatedToken("string literal"))
        );
    }
}
