//! The row layout every metadata format is read into (`kind`, `table`, `name`, `description`,
//! `sql`), and [`assemble`], which checks the rows and builds the datasource's metadata.
//!
//! Invariant: the result does not depend on row order: tables, columns and metrics come out in
//! name order, and describing one thing twice is an error rather than "last one wins".

use std::collections::BTreeMap;

use ports::schema::MetricDefinition;
use ports::schema_metadata::{ColumnMetadata, DatasourceMetadata, TableMetadata};

use crate::metadata_file_error::{MetadataFileError, RowLocation, RowProblem};

/// One row of a metadata file, cells trimmed; empty cells are empty strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetadataRow {
    /// Where the row is in the file.
    pub(crate) location: RowLocation,
    /// `table`, `column` or `metric`; empty means `table` when `name` is empty, else `column`.
    pub(crate) kind: String,
    /// Table name (optional for metrics).
    pub(crate) table: String,
    /// Column name, or metric name.
    pub(crate) name: String,
    /// The description.
    pub(crate) description: String,
    /// A metric's SQL expression.
    pub(crate) sql: String,
}

/// Checks every row and builds the metadata.
pub(crate) fn assemble(rows: Vec<MetadataRow>) -> Result<DatasourceMetadata, MetadataFileError> {
    let mut tables: BTreeMap<String, TableEntry> = BTreeMap::new();
    let mut metrics: BTreeMap<String, (RowLocation, MetricDefinition)> = BTreeMap::new();
    for row in rows {
        let bad_row = |problem| MetadataFileError::BadRow {
            location: row.location.clone(),
            problem,
        };
        let kind = match row.kind.to_ascii_lowercase().as_str() {
            "" if row.name.is_empty() => RowKind::Table,
            "" => RowKind::Column,
            "table" => RowKind::Table,
            "column" => RowKind::Column,
            "metric" => RowKind::Metric,
            other => return Err(bad_row(RowProblem::UnknownKind(other.to_owned()))),
        };
        if kind != RowKind::Metric && row.table.is_empty() {
            return Err(bad_row(RowProblem::MissingTableName));
        }
        if kind != RowKind::Table && row.name.is_empty() {
            return Err(bad_row(RowProblem::MissingName));
        }
        if row.description.is_empty() {
            return Err(bad_row(RowProblem::MissingDescription));
        }
        match kind {
            RowKind::Table => {
                let table = tables
                    .entry(row.table.to_lowercase())
                    .or_insert_with(|| TableEntry::named(&row.table));
                if let Some((first_location, _)) = &table.description {
                    return Err(MetadataFileError::Duplicate {
                        location: row.location,
                        first_location: first_location.clone(),
                        what: format!("table {}", row.table),
                    });
                }
                table.description = Some((row.location, row.description));
            }
            RowKind::Column => {
                let table = tables
                    .entry(row.table.to_lowercase())
                    .or_insert_with(|| TableEntry::named(&row.table));
                if let Some((first_location, _)) = table.columns.get(&row.name.to_lowercase()) {
                    return Err(MetadataFileError::Duplicate {
                        location: row.location,
                        first_location: first_location.clone(),
                        what: format!("column {}.{}", row.table, row.name),
                    });
                }
                table.columns.insert(
                    row.name.to_lowercase(),
                    (
                        row.location,
                        ColumnMetadata {
                            name: row.name,
                            description: row.description,
                        },
                    ),
                );
            }
            RowKind::Metric => {
                if let Some((first_location, _)) = metrics.get(&row.name.to_lowercase()) {
                    return Err(MetadataFileError::Duplicate {
                        location: row.location,
                        first_location: first_location.clone(),
                        what: format!("metric {}", row.name),
                    });
                }
                metrics.insert(
                    row.name.to_lowercase(),
                    (
                        row.location,
                        MetricDefinition {
                            name: row.name,
                            description: row.description,
                            sql: non_empty(row.sql),
                            table: non_empty(row.table),
                        },
                    ),
                );
            }
        }
    }
    Ok(DatasourceMetadata {
        tables: tables
            .into_values()
            .map(TableEntry::into_metadata)
            .collect(),
        metrics: metrics.into_values().map(|(_, metric)| metric).collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Table,
    Column,
    Metric,
}

/// A table while rows are read, with where each part was described.
struct TableEntry {
    name: String,
    description: Option<(RowLocation, String)>,
    columns: BTreeMap<String, (RowLocation, ColumnMetadata)>,
}

impl TableEntry {
    fn named(name: &str) -> Self {
        TableEntry {
            name: name.to_owned(),
            description: None,
            columns: BTreeMap::new(),
        }
    }

    fn into_metadata(self) -> TableMetadata {
        TableMetadata {
            name: self.name,
            description: self.description.map(|(_, description)| description),
            columns: self
                .columns
                .into_values()
                .map(|(_, column)| column)
                .collect(),
        }
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, kind: &str, table: &str, name: &str, description: &str) -> MetadataRow {
        MetadataRow {
            location: RowLocation::Line(line),
            kind: kind.into(),
            table: table.into(),
            name: name.into(),
            description: description.into(),
            sql: String::new(),
        }
    }

    #[test]
    fn rows_in_any_order_give_tables_columns_and_metrics_in_name_order() {
        let rows = vec![
            row(2, "metric", "", "revenue", "Money received"),
            row(3, "column", "orders", "status", "Order state"),
            row(4, "", "orders", "amount", "Order total"),
            row(5, "", "customers", "", "People who bought"),
            row(6, "TABLE", "orders", "", "One row per order"),
        ];

        let metadata = assemble(rows).unwrap();

        let table_names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(table_names, ["customers", "orders"]);
        let orders = &metadata.tables[1];
        assert_eq!(orders.description.as_deref(), Some("One row per order"));
        let column_names: Vec<&str> = orders.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(column_names, ["amount", "status"]);
        assert_eq!(metadata.metrics[0].table, None);
        assert_eq!(metadata.metrics[0].sql, None);
    }

    #[test]
    fn a_row_without_a_table_name_is_refused_with_its_line() {
        let outcome = assemble(vec![row(7, "column", "", "amount", "Order total")]);

        let error = outcome.unwrap_err();
        assert_eq!(
            error,
            MetadataFileError::BadRow {
                location: RowLocation::Line(7),
                problem: RowProblem::MissingTableName
            }
        );
        assert_eq!(error.to_string(), "line 7: the table name is missing");
    }

    #[test]
    fn an_unknown_kind_is_refused_with_its_line() {
        let outcome = assemble(vec![row(3, "measure", "orders", "x", "y")]);

        assert_eq!(
            outcome.unwrap_err().to_string(),
            "line 3: unknown kind `measure` (expected table, column or metric)"
        );
    }

    #[test]
    fn describing_a_column_twice_names_both_lines() {
        let rows = vec![
            row(2, "column", "orders", "amount", "Order total"),
            row(9, "column", "Orders", "AMOUNT", "Total again"),
        ];

        let outcome = assemble(rows);

        assert_eq!(
            outcome.unwrap_err().to_string(),
            "line 9: column Orders.AMOUNT is already described at line 2"
        );
    }

    #[test]
    fn an_empty_description_is_refused() {
        let outcome = assemble(vec![row(4, "table", "orders", "", "")]);

        assert!(matches!(
            outcome,
            Err(MetadataFileError::BadRow {
                problem: RowProblem::MissingDescription,
                ..
            })
        ));
    }
}
