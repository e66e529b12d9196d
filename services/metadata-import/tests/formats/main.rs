//! The metadata file formats read from real files: the committed examples of
//! `docs/examples/` and workbooks written by `rust_xlsxwriter` in the test.
//!
//! Invariant: every test reads files through the crate's public entry point only.

use std::path::{Path, PathBuf};

use metadata_import::{MetadataFileError, RowLocation, RowProblem, read_metadata_file};
use rust_xlsxwriter::Workbook;

fn example(file_name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(file_name)
}

/// Writes `rows` (the first one is the header) into the first worksheet of a new workbook.
fn write_workbook(path: &Path, sheet_name: &str, rows: &[Vec<String>]) {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet_name).unwrap();
    for (row_idx, cells) in rows.iter().enumerate() {
        for (column_idx, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                worksheet
                    .write_string(row_idx as u32, column_idx as u16, cell)
                    .unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_csv_xlsx_and_yaml_examples_import_to_the_same_metadata() {
    let from_csv = read_metadata_file(&example("restaurants-metadata.csv")).unwrap();
    let from_xlsx = read_metadata_file(&example("restaurants-metadata.xlsx")).unwrap();
    let from_yaml = read_metadata_file(&example("restaurants-metadata.yaml")).unwrap();

    assert_eq!(from_csv, from_yaml);
    assert_eq!(from_csv, from_xlsx);
    let table_names: Vec<&str> = from_csv.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(table_names, ["geographic", "restaurant"]);
    assert_eq!(from_csv.tables[1].columns.len(), 2);
    let average_rating = &from_csv.metrics[0];
    assert_eq!(average_rating.name, "average_rating");
    assert_eq!(average_rating.sql.as_deref(), Some("AVG(rating)"));
    assert_eq!(average_rating.table.as_deref(), Some("restaurant"));
    assert_eq!(from_csv.metrics[1].table, None);
}

#[test]
fn a_workbook_written_from_the_csv_example_imports_like_the_csv() {
    let scratch = tempfile::tempdir().unwrap();
    let workbook_path = scratch.path().join("metadata.XLSX");
    write_workbook(
        &workbook_path,
        "Metadata",
        &csv_rows(&example("restaurants-metadata.csv")),
    );

    let from_workbook = read_metadata_file(&workbook_path).unwrap();

    assert_eq!(
        from_workbook,
        read_metadata_file(&example("restaurants-metadata.csv")).unwrap()
    );
}

#[test]
fn a_bad_workbook_row_is_reported_with_its_sheet_and_row_number() {
    let scratch = tempfile::tempdir().unwrap();
    let workbook_path = scratch.path().join("metadata.xlsx");
    let rows: Vec<Vec<String>> = [
        ["kind", "table", "name", "description"],
        ["table", "orders", "", "One row per order"],
        ["measure", "orders", "revenue", "Money received"],
    ]
    .iter()
    .map(|cells| cells.iter().map(|cell| (*cell).to_owned()).collect())
    .collect();
    write_workbook(&workbook_path, "Metadata", &rows);

    let outcome = read_metadata_file(&workbook_path);

    assert_eq!(
        outcome,
        Err(MetadataFileError::BadRow {
            location: RowLocation::SheetRow {
                sheet: "Metadata".into(),
                row: 3
            },
            problem: RowProblem::UnknownKind("measure".into())
        })
    );
}

#[test]
fn a_csv_row_without_a_table_name_is_reported_with_its_line() {
    let scratch = tempfile::tempdir().unwrap();
    let csv_path = scratch.path().join("metadata.csv");
    std::fs::write(
        &csv_path,
        "kind,table,name,description\ntable,orders,,Orders\ncolumn,,amount,Order total\n",
    )
    .unwrap();

    let outcome = read_metadata_file(&csv_path);

    assert_eq!(
        outcome.unwrap_err().to_string(),
        "line 3: the table name is missing"
    );
}

#[test]
fn a_missing_file_is_a_read_error() {
    let outcome = read_metadata_file(Path::new("/nonexistent/metadata.yaml"));

    assert!(matches!(outcome, Err(MetadataFileError::Read { .. })));
}
