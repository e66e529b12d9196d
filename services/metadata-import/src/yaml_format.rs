//! The YAML layout: a mapping with `tables` (each with `name`, optional `description` and
//! `columns` of `name` + `description`) and `metrics` (`name`, `description`, optional `sql`
//! and `table`). Misspelt keys are refused rather than ignored.
//!
//! Invariant: every row made from an entry carries the entry's path (`tables[1].columns[0]`).

use serde::Deserialize;

use crate::metadata_file_error::{MetadataFileError, RowLocation, RowProblem};
use crate::metadata_rows::MetadataRow;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlMetadata {
    #[serde(default)]
    tables: Vec<YamlTable>,
    #[serde(default)]
    metrics: Vec<YamlMetric>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlTable {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    columns: Vec<YamlColumn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlColumn {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlMetric {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sql: Option<String>,
    #[serde(default)]
    table: Option<String>,
}

/// Reads the rows of a YAML document.
pub(crate) fn read_rows(text: &str) -> Result<Vec<MetadataRow>, MetadataFileError> {
    let document: YamlMetadata = serde_yaml_ng::from_str(text)
        .map_err(|err| MetadataFileError::Malformed(err.to_string()))?;
    let mut rows = Vec::new();
    for (table_idx, table) in document.tables.into_iter().enumerate() {
        let table_path = format!("tables[{table_idx}]");
        let table_name = table.name.trim().to_owned();
        if table_name.is_empty() {
            return Err(MetadataFileError::BadRow {
                location: RowLocation::Entry(table_path),
                problem: RowProblem::MissingTableName,
            });
        }
        if let Some(description) = table.description {
            rows.push(MetadataRow {
                location: RowLocation::Entry(table_path.clone()),
                kind: "table".into(),
                table: table_name.clone(),
                name: String::new(),
                description: description.trim().to_owned(),
                sql: String::new(),
            });
        }
        for (column_idx, column) in table.columns.into_iter().enumerate() {
            rows.push(MetadataRow {
                location: RowLocation::Entry(format!("{table_path}.columns[{column_idx}]")),
                kind: "column".into(),
                table: table_name.clone(),
                name: column.name.trim().to_owned(),
                description: column.description.trim().to_owned(),
                sql: String::new(),
            });
        }
    }
    for (metric_idx, metric) in document.metrics.into_iter().enumerate() {
        rows.push(MetadataRow {
            location: RowLocation::Entry(format!("metrics[{metric_idx}]")),
            kind: "metric".into(),
            table: metric.table.unwrap_or_default().trim().to_owned(),
            name: metric.name.trim().to_owned(),
            description: metric.description.trim().to_owned(),
            sql: metric.sql.unwrap_or_default().trim().to_owned(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_without_a_description_is_located_by_its_path() {
        let rows =
            read_rows("tables:\n  - name: orders\n    columns:\n      - name: amount\n").unwrap();

        let error = crate::metadata_rows::assemble(rows).unwrap_err();

        assert_eq!(
            error.to_string(),
            "entry tables[0].columns[0]: the description is missing"
        );
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_line() {
        let outcome = read_rows("tables:\n  - name: orders\n    descripton: typo\n");

        let Err(MetadataFileError::Malformed(message)) = outcome else {
            panic!("expected a malformed file, got {outcome:?}");
        };
        assert!(message.contains("descripton"), "{message}");
        assert!(message.contains("line 3"), "{message}");
    }
}
