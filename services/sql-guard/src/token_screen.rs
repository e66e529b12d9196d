//! Screens the token stream before parsing: constructs that engines and the guard may read
//! differently, and operator chains too long to walk safely.
//!
//! Invariant: never admits anything on its own; it only rejects.

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::guard_rejection::GuardRejection;

/// Most operator tokens one query may hold.
///
/// The parser bounds nesting through parentheses, but a chain such as `1+1+...+1` or
/// `x::int::int...` builds a tree as deep as the chain without recursing, and walking or
/// dropping that tree recurses once per operator; this cap bounds that depth so the stack
/// the guard runs on always suffices.
pub(crate) const MAX_OPERATOR_TOKENS: usize = 1_000;

/// Letters that prefix a string literal in some engine (`E'\n'`, `B'101'`, `X'ff'`, `N'..'`,
/// `R'..'`): written against the quote, the tokenizer of a dialect that lacks the prefix reads
/// a word and a plain string, where the engine reads one literal with other escaping rules.
const STRING_PREFIX_LETTERS: &[&str] = &["e", "b", "x", "n", "r"];

/// Tokenizes `sql` and rejects ambiguous constructs.
pub(crate) fn screen_tokens(
    sql: &str,
    parser_dialect: &dyn ParserDialect,
) -> Result<(), GuardRejection> {
    let tokens = Tokenizer::new(parser_dialect, sql)
        .tokenize_with_location()
        .map_err(|err| GuardRejection::Unparseable(err.to_string()))?;
    let mut n_operator_tokens = 0_usize;
    for (token_idx, token_with_span) in tokens.iter().enumerate() {
        match &token_with_span.token {
            Token::Whitespace(Whitespace::MultiLineComment(comment)) if comment.contains("/*") => {
                return Err(GuardRejection::AmbiguousSyntax(
                    "a nested block comment (/* inside /* */)".into(),
                ));
            }
            Token::Whitespace(_) | Token::SemiColon | Token::EOF => continue,
            Token::Word(word)
                if word.quote_style.is_none()
                    && word.value.eq_ignore_ascii_case("u")
                    && matches!(
                        tokens.get(token_idx + 1).map(|next| &next.token),
                        Some(Token::Ampersand)
                    ) =>
            {
                return Err(GuardRejection::AmbiguousSyntax(
                    "a Unicode-escaped identifier or string (U&\"...\" or U&'...')".into(),
                ));
            }
            Token::Word(word)
                if word.quote_style.is_none()
                    && STRING_PREFIX_LETTERS
                        .iter()
                        .any(|letter| word.value.eq_ignore_ascii_case(letter))
                    && tokens
                        .get(token_idx + 1)
                        .is_some_and(|next| is_string_against(token_with_span, next)) =>
            {
                return Err(GuardRejection::AmbiguousSyntax(format!(
                    "a prefixed string literal ({}'...') that engines read with different \
                     escaping rules; write a plain '...' string",
                    word.value
                )));
            }
            Token::Word(word)
                if word.quote_style == Some('[')
                    && !word.value.chars().all(|character| {
                        character.is_alphanumeric() || matches!(character, '_' | ' ' | '$')
                    }) =>
            {
                return Err(GuardRejection::AmbiguousSyntax(format!(
                    "a bracketed expression [{}] the guard cannot check",
                    word.value
                )));
            }
            token if is_operator(token) => n_operator_tokens += 1,
            _ => {}
        }
    }
    if n_operator_tokens > MAX_OPERATOR_TOKENS {
        return Err(GuardRejection::TooDeeplyNested(format!(
            "{n_operator_tokens} operators, at most {MAX_OPERATOR_TOKENS} are allowed"
        )));
    }
    Ok(())
}

/// `true` when `next` is a quoted string that starts exactly where `word` ends.
fn is_string_against(word: &TokenWithSpan, next: &TokenWithSpan) -> bool {
    matches!(
        next.token,
        Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::DollarQuotedString(_)
    ) && next.span.start == word.span.end
}

/// `true` for tokens that can extend an operator chain.
fn is_operator(token: &Token) -> bool {
    match token {
        Token::Word(word) => matches!(
            word.keyword,
            Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::SIMILAR
                | Keyword::BETWEEN
                | Keyword::IN
                | Keyword::COLLATE
                | Keyword::AT
                | Keyword::OVERLAPS
                | Keyword::XOR
                | Keyword::DIV
                | Keyword::REGEXP
                | Keyword::RLIKE
                | Keyword::MEMBER
                | Keyword::UNION
                | Keyword::EXCEPT
                | Keyword::INTERSECT
                | Keyword::MINUS
        ),
        Token::Number(..)
        | Token::Char(_)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::NationalStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::DollarQuotedString(_)
        | Token::Comma
        | Token::LParen
        | Token::RParen
        | Token::Period
        | Token::Placeholder(_) => false,
        _ => true,
    }
}
