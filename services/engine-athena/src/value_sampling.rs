//! Sampling the distinct values of low-cardinality text columns by running
//! `SELECT DISTINCT "column" FROM "table" LIMIT 21` through the engine itself.
//!
//! Invariant: sampling never fails schema extraction: a column whose query fails, times out or
//! has more than [`MAX_SAMPLED_VALUES`] values keeps no samples; sampled values are capped in
//! length.

use std::time::Duration;

use serde_json::Value;

use ports::schema::TableSchema;
use ports::sql_engine::{QueryLimits, SqlEngine};

/// Text columns with at most this many distinct values have them sampled.
pub(crate) const MAX_SAMPLED_VALUES: usize = 20;
/// Sampled values longer than this many characters are cut.
const MAX_SAMPLE_CHARS: usize = 100;
/// Time one sampling query may take.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(15);
/// Byte cap of one sampling query's rows.
const SAMPLE_MAX_BYTES: usize = 64 * 1024;
/// Glue and Athena type names of text columns.
const TEXT_TYPES: &[&str] = &["string", "varchar", "char"];

/// Fills `sample_values` of every text column of `tables` that has few distinct values.
pub(crate) async fn sample_text_values(engine: &dyn SqlEngine, tables: &mut [TableSchema]) {
    let limits = QueryLimits {
        max_rows: MAX_SAMPLED_VALUES,
        timeout: SAMPLE_TIMEOUT,
        max_bytes: SAMPLE_MAX_BYTES,
    };
    for table in tables.iter_mut() {
        let table_name = table.name.clone();
        for column in table
            .columns
            .iter_mut()
            .filter(|column| is_text_type(&column.data_type))
        {
            let sql = format!(
                "SELECT DISTINCT {} FROM {} LIMIT {}",
                quote_identifier(&column.name),
                quote_identifier(&table_name),
                MAX_SAMPLED_VALUES + 1
            );
            match engine.execute(&sql, &limits).await {
                Ok(result_set) if !result_set.truncated => {
                    let mut values: Vec<String> = result_set
                        .rows
                        .iter()
                        .filter_map(|row| match row.first() {
                            Some(Value::String(text)) => {
                                Some(text.chars().take(MAX_SAMPLE_CHARS).collect())
                            }
                            _ => None,
                        })
                        .collect();
                    values.sort();
                    values.dedup();
                    column.sample_values = values;
                }
                Ok(_) => {}
                Err(err) => tracing::debug!(
                    table = %table_name,
                    column = %column.name,
                    error.message = %err,
                    "value sampling skipped"
                ),
            }
        }
    }
}

/// Whether a Glue type (`string`, `varchar(20)`, `char(2)`) holds text.
fn is_text_type(data_type: &str) -> bool {
    let base = data_type
        .split('(')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    TEXT_TYPES.contains(&base.as_str())
}

/// `name` as a double-quoted identifier.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use serde_json::json;

    use contracts::result::{ColumnType, ResultColumn, ResultSet};
    use ports::schema::ColumnSchema;
    use ports::sql_engine::{Dialect, EngineError};

    use super::*;

    /// Answers each query with the next scripted result and records the SQL.
    struct ScriptedEngine {
        answers: Mutex<Vec<Result<ResultSet, EngineError>>>,
        queries: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl SqlEngine for ScriptedEngine {
        fn dialect(&self) -> Dialect {
            Dialect::Athena
        }

        async fn execute(&self, sql: &str, _: &QueryLimits) -> Result<ResultSet, EngineError> {
            self.queries.lock().unwrap().push(sql.to_owned());
            self.answers.lock().unwrap().remove(0)
        }

        async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
            Ok(Vec::new())
        }
    }

    fn text_result(values: &[&str], truncated: bool) -> ResultSet {
        ResultSet {
            columns: vec![ResultColumn {
                name: "value".to_owned(),
                column_type: ColumnType::Text,
            }],
            rows: values.iter().map(|value| vec![json!(value)]).collect(),
            truncated,
            total_rows: None,
        }
    }

    fn column(name: &str, data_type: &str) -> ColumnSchema {
        ColumnSchema {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            description: None,
            sample_values: Vec::new(),
        }
    }

    #[tokio::test]
    async fn only_text_columns_with_few_values_keep_their_samples() {
        let engine = ScriptedEngine {
            answers: Mutex::new(vec![
                Ok(text_result(&["west", "east"], false)),
                Ok(text_result(&["a"; 20], true)),
                Err(EngineError::TimedOut(SAMPLE_TIMEOUT)),
            ]),
            queries: Mutex::new(Vec::new()),
        };
        let mut tables = vec![TableSchema {
            name: "or\"ders".to_owned(),
            description: None,
            columns: vec![
                column("region", "string"),
                column("id", "bigint"),
                column("customer", "varchar(40)"),
                column("note", "char(3)"),
            ],
            n_rows: None,
        }];

        sample_text_values(&engine, &mut tables).await;

        let columns = &tables[0].columns;
        assert_eq!(columns[0].sample_values, vec!["east", "west"]);
        assert!(columns[1].sample_values.is_empty());
        assert!(columns[2].sample_values.is_empty());
        assert!(columns[3].sample_values.is_empty());
        assert_eq!(
            engine.queries.lock().unwrap()[0],
            "SELECT DISTINCT \"region\" FROM \"or\"\"ders\" LIMIT 21"
        );
        assert_eq!(engine.queries.lock().unwrap().len(), 3);
    }
}
