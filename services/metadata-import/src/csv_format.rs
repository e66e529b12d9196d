//! The CSV layout: a header naming the columns `kind`, `table`, `name`, `description` and
//! optionally `sql` (any order, case-insensitive), then one row per table, column or metric.
//!
//! Invariant: every row keeps its line number in the file, so errors can point at it.

use crate::metadata_file_error::{MetadataFileError, RowLocation};
use crate::metadata_rows::MetadataRow;

/// Reads the rows of a CSV file's bytes.
pub(crate) fn read_rows(bytes: &[u8]) -> Result<Vec<MetadataRow>, MetadataFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(strip_byte_order_mark(bytes));
    let header: Vec<String> = reader
        .headers()
        .map_err(malformed)?
        .iter()
        .map(str::to_owned)
        .collect();
    let layout = ColumnLayout::from_header(&header)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        let line = record.position().map_or(0, |position| position.line());
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        rows.push(layout.row(RowLocation::Line(line), &cells));
    }
    Ok(rows)
}

/// Which position holds which field, from a header row.
pub(crate) struct ColumnLayout {
    kind: Option<usize>,
    table: usize,
    name: usize,
    description: usize,
    sql: Option<usize>,
}

impl ColumnLayout {
    /// Finds the columns by their header names; `table`, `name` and `description` are required.
    pub(crate) fn from_header<S: AsRef<str>>(header: &[S]) -> Result<Self, MetadataFileError> {
        let position = |wanted: &str| {
            header
                .iter()
                .position(|cell| cell.as_ref().trim().eq_ignore_ascii_case(wanted))
        };
        let required =
            |wanted: &'static str| position(wanted).ok_or(MetadataFileError::MissingColumn(wanted));
        Ok(ColumnLayout {
            kind: position("kind"),
            table: required("table")?,
            name: required("name")?,
            description: required("description")?,
            sql: position("sql"),
        })
    }

    /// The row made of `cells` (missing trailing cells count as empty).
    pub(crate) fn row<S: AsRef<str>>(&self, location: RowLocation, cells: &[S]) -> MetadataRow {
        let cell = |index: Option<usize>| {
            index
                .and_then(|index| cells.get(index))
                .map_or_else(String::new, |cell| cell.as_ref().trim().to_owned())
        };
        MetadataRow {
            location,
            kind: cell(self.kind),
            table: cell(Some(self.table)),
            name: cell(Some(self.name)),
            description: cell(Some(self.description)),
            sql: cell(self.sql),
        }
    }
}

fn strip_byte_order_mark(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

fn malformed(err: csv::Error) -> MetadataFileError {
    MetadataFileError::Malformed(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_line_numbers_and_blank_lines_are_skipped() {
        let text = "\u{feff}Kind,Table,Name,Description\ntable,orders,,One row per order\n,,,\ncolumn,orders,amount,\"Total, in euros\"\n";

        let rows = read_rows(text.as_bytes()).unwrap();

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].location, RowLocation::Line(2));
        assert_eq!(rows[1].location, RowLocation::Line(4));
        assert_eq!(rows[1].description, "Total, in euros");
        assert_eq!(rows[1].sql, "");
    }

    #[test]
    fn a_header_without_a_description_column_is_refused() {
        let outcome = read_rows(b"table,name,comment\norders,,x\n");

        assert!(matches!(
            outcome,
            Err(MetadataFileError::MissingColumn("description"))
        ));
    }
}
