//! The XLSX layout: the first worksheet of the workbook holds the CSV layout (a header row,
//! then one row per table, column or metric).
//!
//! Invariant: row numbers in errors are the ones Excel shows for the worksheet.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::csv_format::ColumnLayout;
use crate::metadata_file_error::{MetadataFileError, RowLocation};
use crate::metadata_rows::MetadataRow;

/// Reads the rows of the first worksheet.
pub(crate) fn read_rows(path: &Path) -> Result<Vec<MetadataRow>, MetadataFileError> {
    let malformed = |err: calamine::XlsxError| MetadataFileError::Malformed(err.to_string());
    let mut workbook: Xlsx<_> = open_workbook(path).map_err(malformed)?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| MetadataFileError::Malformed("the workbook has no worksheet".into()))?;
    let range = workbook.worksheet_range(&sheet).map_err(malformed)?;
    // Row numbers of the range are 0-based and start where the first used cell is.
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let mut rows_with_numbers = range
        .rows()
        .enumerate()
        .map(|(row_idx, cells)| (first_row + row_idx as u64 + 1, cells));
    let Some((_, header)) = rows_with_numbers.next() else {
        return Err(MetadataFileError::MissingColumn("table"));
    };
    let header: Vec<String> = header.iter().map(cell_text).collect();
    let layout = ColumnLayout::from_header(&header)?;
    let mut rows = Vec::new();
    for (row_number, cells) in rows_with_numbers {
        let cells: Vec<String> = cells.iter().map(cell_text).collect();
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let location = RowLocation::SheetRow {
            sheet: sheet.clone(),
            row: row_number,
        };
        rows.push(layout.row(location, &cells));
    }
    Ok(rows)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}
