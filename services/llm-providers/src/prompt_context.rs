//! The data that fills prompt placeholders: the dialect, the schema (descriptions, keys, sampled
//! values, metric definitions), table summaries, few-shot examples and result rows, each
//! rendered as plain text.
//!
//! Invariant: rendering is deterministic (same input, same text) and bounded: sampled values and
//! result rows are capped, so a prompt's size depends on the schema, not on the data.

use contracts::result::ResultSet;
use ports::memory_store::ScoredPair;
use ports::schema::{MetricDefinition, TableSchema};
use ports::sql_engine::Dialect;

/// Sampled values shown per column at most.
const MAX_SAMPLE_VALUES: usize = 20;
/// Characters of one sampled value kept.
const MAX_SAMPLE_CHARS: usize = 60;

/// Name of the dialect as prompts state it.
pub(crate) fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "PostgreSQL",
        Dialect::Redshift => "Amazon Redshift",
        Dialect::Athena => "Amazon Athena (Trino)",
        Dialect::Embedded => "DuckDB",
    }
}

/// One rule line about the dialect's functions and quoting.
pub(crate) fn dialect_notes(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "Use PostgreSQL syntax and functions (date_trunc, EXTRACT, interval arithmetic); text comparison is case-sensitive, so use ILIKE for case-insensitive matching; quote identifiers with double quotes."
        }
        Dialect::Redshift => {
            "Use Amazon Redshift syntax and functions (DATE_TRUNC, DATEADD, DATEDIFF, LISTAGG); avoid PostgreSQL-only features such as FILTER clauses, arrays, generate_series and DISTINCT ON; quote identifiers with double quotes."
        }
        Dialect::Athena => {
            "Use Trino syntax and functions (date_trunc, date_add, date_diff, approx_distinct); write date literals as DATE '2024-01-31'; quote identifiers with double quotes, never backticks."
        }
        Dialect::Embedded => {
            "Use DuckDB syntax and functions (date_trunc, strftime, date_diff, ILIKE); quote identifiers with double quotes and strings with single quotes."
        }
    }
}

/// Full schema for SQL prompts, one block per table, then the metrics that belong to none of
/// them or to one of them:
///
/// ```text
/// TABLE orders  -- Orders placed online; about 1200 rows
///   id BIGINT  -- primary key
///   status VARCHAR  -- sample values: 'open', 'shipped'
///
/// METRIC revenue  -- Money received; table orders; SQL: SUM(amount)
/// ```
pub(crate) fn schema_text(tables: &[&TableSchema], metrics: &[MetricDefinition]) -> String {
    let mut blocks: Vec<String> = tables.iter().map(|table| table_block(table)).collect();
    let metric_lines: Vec<String> = metrics
        .iter()
        .filter(|metric| match &metric.table {
            None => true,
            Some(metric_table) => tables
                .iter()
                .any(|table| table.name.eq_ignore_ascii_case(metric_table)),
        })
        .map(metric_line)
        .collect();
    if !metric_lines.is_empty() {
        blocks.push(metric_lines.join("\n"));
    }
    blocks.join("\n\n")
}

fn metric_line(metric: &MetricDefinition) -> String {
    let mut notes = Vec::new();
    if let Some(description) = non_empty(Some(&metric.description)) {
        notes.push(description.to_owned());
    }
    if let Some(table) = non_empty(metric.table.as_deref()) {
        notes.push(format!("table {table}"));
    }
    if let Some(sql) = non_empty(metric.sql.as_deref()) {
        notes.push(format!("SQL: {}", sql.replace('\n', " ")));
    }
    format!("METRIC {}{}", metric.name, comment(&notes))
}

fn table_block(table: &TableSchema) -> String {
    let mut notes = Vec::new();
    if let Some(description) = non_empty(table.description.as_deref()) {
        notes.push(description.to_owned());
    }
    if let Some(n_rows) = table.n_rows {
        notes.push(format!("about {n_rows} rows"));
    }
    let mut block = format!("TABLE {}{}", table.name, comment(&notes));
    for column in &table.columns {
        let mut column_notes = Vec::new();
        if let Some(description) = non_empty(column.description.as_deref()) {
            column_notes.push(description.to_owned());
        }
        if !column.sample_values.is_empty() {
            column_notes.push(format!(
                "sample values: {}",
                sample_values(&column.sample_values)
            ));
        }
        block.push_str(&format!(
            "\n  {} {}{}",
            column.name,
            column.data_type,
            comment(&column_notes)
        ));
    }
    block
}

fn comment(notes: &[String]) -> String {
    if notes.is_empty() {
        String::new()
    } else {
        format!("  -- {}", notes.join("; "))
    }
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// Values as single-quoted SQL literals, capped in number and length.
fn sample_values(values: &[String]) -> String {
    let mut shown: Vec<String> = values
        .iter()
        .take(MAX_SAMPLE_VALUES)
        .map(|value| {
            let kept: String = value.chars().take(MAX_SAMPLE_CHARS).collect();
            format!("'{}'", kept.replace('\'', "''").replace('\n', " "))
        })
        .collect();
    if values.len() > MAX_SAMPLE_VALUES {
        shown.push("...".to_owned());
    }
    shown.join(", ")
}

/// One line per table for classification and table selection, naming the metrics computed
/// from it:
/// `- orders: Orders placed online. Columns: id, customer_id, status. Metrics: revenue`.
pub(crate) fn table_summaries(tables: &[TableSchema], metrics: &[MetricDefinition]) -> String {
    let lines: Vec<String> = tables
        .iter()
        .map(|table| {
            let columns: Vec<&str> = table
                .columns
                .iter()
                .map(|column| column.name.as_str())
                .collect();
            let table_metrics: Vec<&str> = metrics
                .iter()
                .filter(|metric| {
                    metric
                        .table
                        .as_deref()
                        .is_some_and(|metric_table| metric_table.eq_ignore_ascii_case(&table.name))
                })
                .map(|metric| metric.name.as_str())
                .collect();
            let metrics_note = if table_metrics.is_empty() {
                String::new()
            } else {
                format!(". Metrics: {}", table_metrics.join(", "))
            };
            match non_empty(table.description.as_deref()) {
                Some(description) => format!(
                    "- {}: {}. Columns: {}{metrics_note}",
                    table.name,
                    description.trim_end_matches('.'),
                    columns.join(", ")
                ),
                None => format!(
                    "- {}: columns {}{metrics_note}",
                    table.name,
                    columns.join(", ")
                ),
            }
        })
        .collect();
    lines.join("\n")
}

/// Few-shot examples, best first; `none` when there are none.
pub(crate) fn examples_text(examples: &[ScoredPair]) -> String {
    if examples.is_empty() {
        return "none".to_owned();
    }
    let blocks: Vec<String> = examples
        .iter()
        .enumerate()
        .map(|(example_idx, scored)| {
            format!(
                "Example {}\nQuestion: {}\nSQL:\n{}",
                example_idx + 1,
                scored.pair.question.trim(),
                scored.pair.sql.trim()
            )
        })
        .collect();
    blocks.join("\n\n")
}

/// The first `max_rows` rows as one JSON array per line, after a line of column names, and a
/// note saying how many rows that is out of how many.
pub(crate) fn rows_text(result: &ResultSet, max_rows: usize) -> (String, String) {
    let n_rows = result.rows.len();
    let n_shown = n_rows.min(max_rows);
    let column_names: Vec<&str> = result
        .columns
        .iter()
        .map(|column| column.name.as_str())
        .collect();
    let mut lines = vec![format!(
        "columns: {}",
        serde_json::to_string(&column_names).expect("strings always serialize")
    )];
    lines.extend(
        result.rows[..n_shown]
            .iter()
            .map(|row| serde_json::to_string(row).expect("json values always serialize")),
    );
    let n_total = result
        .total_rows
        .and_then(|total| usize::try_from(total).ok())
        .unwrap_or(n_rows);
    let note = if n_shown == n_total && !result.truncated {
        format!("all {n_shown} rows")
    } else if result.truncated && result.total_rows.is_none() {
        format!("the first {n_shown} rows; the query returned more")
    } else {
        format!("the first {n_shown} of {} rows", n_total.max(n_rows))
    };
    (lines.join("\n"), note)
}

#[cfg(test)]
mod tests {
    use contracts::result::{ColumnType, ResultColumn};
    use ports::schema::ColumnSchema;
    use serde_json::json;

    use super::*;

    fn orders() -> TableSchema {
        TableSchema {
            name: "orders".into(),
            description: Some("Orders placed online".into()),
            columns: vec![
                ColumnSchema {
                    name: "id".into(),
                    data_type: "BIGINT".into(),
                    description: Some("primary key".into()),
                    sample_values: vec![],
                },
                ColumnSchema {
                    name: "status".into(),
                    data_type: "VARCHAR".into(),
                    description: None,
                    sample_values: vec!["open".into(), "won't ship".into()],
                },
            ],
            n_rows: Some(1200),
        }
    }

    #[test]
    fn a_table_renders_with_descriptions_keys_and_quoted_sample_values() {
        let text = schema_text(&[&orders()], &[]);

        assert_eq!(
            text,
            "TABLE orders  -- Orders placed online; about 1200 rows\n  id BIGINT  -- primary key\n  status VARCHAR  -- sample values: 'open', 'won''t ship'"
        );
    }

    #[test]
    fn sampled_values_are_capped() {
        let values: Vec<String> = (0..30).map(|value_idx| format!("v{value_idx}")).collect();

        let text = sample_values(&values);

        assert!(text.ends_with("'v19', ..."), "{text}");
    }

    #[test]
    fn table_summaries_name_each_table_with_its_columns() {
        assert_eq!(
            table_summaries(&[orders()], &[]),
            "- orders: Orders placed online. Columns: id, status"
        );
    }

    fn metric(name: &str, table: Option<&str>) -> MetricDefinition {
        MetricDefinition {
            name: name.into(),
            description: format!("{name} described"),
            sql: Some("SUM(amount)\nFILTER (WHERE status = 'open')".into()),
            table: table.map(str::to_owned),
        }
    }

    #[test]
    fn metrics_of_shown_tables_and_of_no_table_follow_the_tables() {
        let metrics = [
            metric("open_revenue", Some("ORDERS")),
            metric("headcount", Some("employees")),
            metric("customers", None),
        ];

        let text = schema_text(&[&orders()], &metrics);

        assert!(
            text.ends_with(
                "\n\nMETRIC open_revenue  -- open_revenue described; table ORDERS; SQL: SUM(amount) FILTER (WHERE status = 'open')\nMETRIC customers  -- customers described; SQL: SUM(amount) FILTER (WHERE status = 'open')"
            ),
            "{text}"
        );
        assert!(!text.contains("headcount"), "{text}");
    }

    #[test]
    fn table_summaries_name_the_metrics_of_each_table() {
        let metrics = [
            metric("open_revenue", Some("orders")),
            metric("customers", None),
        ];

        assert_eq!(
            table_summaries(&[orders()], &metrics),
            "- orders: Orders placed online. Columns: id, status. Metrics: open_revenue"
        );
    }

    #[test]
    fn only_the_first_rows_are_sent_and_the_note_says_so() {
        let result = ResultSet {
            columns: vec![ResultColumn {
                name: "n".into(),
                column_type: ColumnType::Integer,
            }],
            rows: (0..120).map(|row_idx| vec![json!(row_idx)]).collect(),
            truncated: false,
            total_rows: Some(120),
        };

        let (rows, note) = rows_text(&result, 50);

        assert_eq!(rows.lines().count(), 51);
        assert_eq!(rows.lines().nth(1), Some("[0]"));
        assert_eq!(note, "the first 50 of 120 rows");
    }

    #[test]
    fn a_small_result_is_sent_whole() {
        let result = ResultSet {
            columns: vec![ResultColumn {
                name: "region".into(),
                column_type: ColumnType::Text,
            }],
            rows: vec![vec![json!("north")], vec![json!(null)]],
            truncated: false,
            total_rows: Some(2),
        };

        let (rows, note) = rows_text(&result, 50);

        assert_eq!(rows, "columns: [\"region\"]\n[\"north\"]\n[null]");
        assert_eq!(note, "all 2 rows");
    }
}
