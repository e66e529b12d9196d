//! Screens the token stream before parsing: constructs that engines and the guard may read
//! differently, operator chains too long to walk safely, and the end of the admitted text.
//!
//! Invariant: never admits anything on its own; it only rejects or measures.

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::guard_rejection::GuardRejection;

/// Most operator tokens one query may hold.
///
/// The parser bounds nesting through parentheses, but a chain such as `1+1+...+1` or
/// `x::int::int...` builds a tree as deep as the chain without recursing, and walking or
/// dropping that tree recurses once per operator; this cap bounds that depth so the stack
/// the guard runs on always suffices.
pub(crate) const MAX_OPERATOR_TOKENS: usize = 1_000;

/// Tokenizes `sql`, rejects ambiguous constructs and returns the byte offset where the
/// statement's text ends (before trailing semicolons and comments).
pub(crate) fn screen_tokens(
    sql: &str,
    parser_dialect: &dyn ParserDialect,
) -> Result<usize, GuardRejection> {
    let tokens = Tokenizer::new(parser_dialect, sql)
        .tokenize_with_location()
        .map_err(|err| GuardRejection::Unparseable(err.to_string()))?;
    let mut n_operator_tokens = 0_usize;
    let mut last_meaningful: Option<&TokenWithSpan> = None;
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
        last_meaningful = Some(token_with_span);
    }
    if n_operator_tokens > MAX_OPERATOR_TOKENS {
        return Err(GuardRejection::TooDeeplyNested(format!(
            "{n_operator_tokens} operators, at most {MAX_OPERATOR_TOKENS} are allowed"
        )));
    }
    let end = last_meaningful
        .and_then(|token_with_span| byte_offset(sql, token_with_span.span.end))
        .unwrap_or(sql.len());
    Ok(end)
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

/// Converts a tokenizer location (1-based line and column, columns counted in characters)
/// to a byte offset in `sql`.
fn byte_offset(sql: &str, location: Location) -> Option<usize> {
    let (mut line, mut column) = (1_u64, 1_u64);
    for (byte_idx, character) in sql.char_indices() {
        if line == location.line && column == location.column {
            return Some(byte_idx);
        }
        if character == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line == location.line && column == location.column).then_some(sql.len())
}
