//! Fuzz target: feeds arbitrary UTF-8 to the guard in every dialect.
//!
//! Invariant: the guard never panics, and whatever it admits re-parses to exactly one
//! query, which the guard admits again unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ports::sql_engine::Dialect;
use sqlparser::ast::Statement;
use sqlparser::dialect::{
    Dialect as ParserDialect, DuckDbDialect, GenericDialect, PostgreSqlDialect, RedshiftSqlDialect,
};
use sqlparser::parser::Parser;

const ALL_DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Redshift,
    Dialect::Athena,
    Dialect::Embedded,
];

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in ALL_DIALECTS {
        let Ok(checked) = sql_guard::check_read_only(sql, dialect) else {
            continue;
        };
        let statements = Parser::new(parser_dialect(dialect))
            .with_recursion_limit(sql_guard::MAX_NESTING_DEPTH)
            .try_with_sql(checked.as_str())
            .and_then(|mut parser| parser.parse_statements())
            .unwrap_or_else(|err| {
                panic!(
                    "{}: admitted text {:?} does not re-parse: {err}",
                    dialect.as_str(),
                    checked.as_str()
                )
            });
        assert!(
            matches!(statements.as_slice(), [Statement::Query(_)]),
            "{}: admitted text {:?} is {} statements, not one query",
            dialect.as_str(),
            checked.as_str(),
            statements.len()
        );
        let rechecked = sql_guard::check_read_only(checked.as_str(), dialect)
            .expect("admitted text is admitted again");
        assert_eq!(rechecked.as_str(), checked.as_str());
    }
});

fn parser_dialect(dialect: Dialect) -> &'static dyn ParserDialect {
    match dialect {
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Redshift => &RedshiftSqlDialect {},
        Dialect::Athena => &GenericDialect {},
        Dialect::Embedded => &DuckDbDialect {},
    }
}
