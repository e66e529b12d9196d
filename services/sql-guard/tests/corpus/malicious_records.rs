//! Reads `malicious.txt`: records separated by a line `-- ----`; a record may start with a
//! line `-- dialects: postgres redshift athena embedded` naming the dialects it targets
//! (all four when absent).
//!
//! Invariant: a record's text reaches the guard byte for byte, control characters included.

use ports::sql_engine::Dialect;

const MALICIOUS_CORPUS: &str = include_str!("malicious.txt");
const RECORD_SEPARATOR: &str = "\n-- ----\n";
const DIALECTS_HEADER: &str = "-- dialects:";

/// One adversarial input and the dialects in which it must be rejected.
pub(crate) struct MaliciousRecord {
    pub(crate) record_idx: usize,
    pub(crate) sql: String,
    pub(crate) dialects: Vec<Dialect>,
}

pub(crate) fn load() -> Vec<MaliciousRecord> {
    let corpus = MALICIOUS_CORPUS
        .strip_suffix('\n')
        .unwrap_or(MALICIOUS_CORPUS);
    corpus
        .split(RECORD_SEPARATOR)
        .enumerate()
        .map(|(record_idx, record)| parse_record(record_idx, record))
        .collect()
}

fn parse_record(record_idx: usize, record: &str) -> MaliciousRecord {
    let Some(header_and_sql) = record.strip_prefix(DIALECTS_HEADER) else {
        return MaliciousRecord {
            record_idx,
            sql: record.to_owned(),
            dialects: super::ALL_DIALECTS.to_vec(),
        };
    };
    let (header, sql) = header_and_sql
        .split_once('\n')
        .unwrap_or_else(|| panic!("record {record_idx} has a header but no SQL"));
    let dialects = header
        .split_whitespace()
        .map(|name| {
            super::ALL_DIALECTS
                .into_iter()
                .find(|dialect| dialect.as_str() == name)
                .unwrap_or_else(|| panic!("record {record_idx}: unknown dialect {name}"))
        })
        .collect();
    MaliciousRecord {
        record_idx,
        sql: sql.to_owned(),
        dialects,
    }
}
