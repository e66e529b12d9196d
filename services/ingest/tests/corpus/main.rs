//! The bad-input corpus, generated here (no binaries are committed): each archive is
//! prepared into a fresh staging parent; refused ones must name the problem and leave the
//! staging parent empty, accepted ones must yield the expected tables.

use std::io::{Cursor, Write};
use std::path::Path;

use ingest::{
    ColumnType, IngestError, IngestLimits, IngestOptions, PreparedUpload, TextEncoding,
    prepare_upload,
};
use zip::write::SimpleFileOptions;

/// One archive entry: a name and its bytes.
type Entry<'a> = (&'a str, Vec<u8>);

fn zip_of(entries: &[Entry<'_>]) -> Cursor<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().large_file(false);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    let mut archive = writer.finish().unwrap();
    archive.set_position(0);
    archive
}

fn prepare_with(
    entries: &[Entry<'_>],
    options: &IngestOptions,
) -> (Result<PreparedUpload, IngestError>, tempfile::TempDir) {
    let staging_parent = tempfile::tempdir().unwrap();
    let outcome = prepare_upload(zip_of(entries), staging_parent.path(), options, &mut |_| {});
    (outcome, staging_parent)
}

/// Prepares `entries`, expects a refusal, checks nothing was left behind, returns the message.
fn refusal(entries: &[Entry<'_>], options: &IngestOptions) -> IngestError {
    let (outcome, staging_parent) = prepare_with(entries, options);
    let err = outcome.expect_err("the archive is refused");
    assert_is_empty(staging_parent.path());
    err
}

fn accepted(entries: &[Entry<'_>]) -> (PreparedUpload, tempfile::TempDir) {
    let (outcome, staging_parent) = prepare_with(entries, &IngestOptions::default());
    (outcome.unwrap(), staging_parent)
}

fn assert_is_empty(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// `n_chars` letters that do not compress well (a fixed pseudo-random sequence), so that
/// large test cells are not mistaken for zip bombs.
fn incompressible_letters(n_chars: usize) -> String {
    let mut state = 0x2545_f491_u32;
    (0..n_chars)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

fn text(content: &str) -> Vec<u8> {
    content.as_bytes().to_vec()
}

#[test]
fn a_zip_bomb_is_refused_by_its_compression_ratio() {
    let mut content = b"a,b\n".to_vec();
    content.extend(b"0,0\n".repeat(2_000_000));

    let err = refusal(&[("bomb/data.csv", content)], &IngestOptions::default());

    assert_eq!(
        err,
        IngestError::CompressionRatioTooHigh {
            entry: "bomb/data.csv".to_owned(),
            max_ratio: 100
        }
    );
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn a_zip_slip_entry_is_refused() {
    let err = refusal(&[("../x.csv", text("a\n1\n"))], &IngestOptions::default());

    assert_eq!(
        err.to_string(),
        "`../x.csv`: absolute paths and `..` are not allowed in entry names"
    );
}

#[test]
fn nested_zips_are_refused_by_name_and_by_content() {
    let inner = zip_of(&[("t/a.csv", text("a\n1\n"))]).into_inner();

    let by_name = refusal(&[("t/inner.zip", inner.clone())], &IngestOptions::default());
    let by_content = refusal(&[("t/inner.csv", inner)], &IngestOptions::default());

    assert!(matches!(by_name, IngestError::NestedArchive { ref entry } if entry == "t/inner.zip"));
    assert!(
        matches!(by_content, IngestError::NestedArchive { ref entry } if entry == "t/inner.csv")
    );
}

#[test]
fn an_empty_zip_is_refused() {
    assert_eq!(
        refusal(&[], &IngestOptions::default()),
        IngestError::EmptyArchive
    );
}

#[test]
fn a_zip_without_csv_files_names_what_it_skipped() {
    let err = refusal(&[("notes.txt", text("hi"))], &IngestOptions::default());

    assert_eq!(
        err.to_string(),
        "the ZIP archive holds no .csv file (skipped: notes.txt)"
    );
}

#[test]
fn an_empty_csv_file_is_refused() {
    let err = refusal(&[("t/a.csv", Vec::new())], &IngestOptions::default());

    assert_eq!(
        err.to_string(),
        "`t/a.csv`: the file is empty; a header line is required"
    );
}

#[test]
fn a_binary_file_named_csv_is_refused() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();

    let err = refusal(&[("t/a.csv", binary)], &IngestOptions::default());

    assert_eq!(
        err,
        IngestError::BinaryFile {
            entry: "t/a.csv".to_owned()
        }
    );
}

#[test]
fn ten_thousand_columns_are_refused() {
    let header: Vec<String> = (0..10_000).map(|idx| format!("c{idx}")).collect();
    let content = format!("{}\n{}\n", header.join(","), vec!["1"; 10_000].join(","));

    let err = refusal(&[("wide/a.csv", text(&content))], &IngestOptions::default());

    assert_eq!(
        err.to_string(),
        "`wide/a.csv` line 1: 10000 columns; at most 1000 are accepted"
    );
}

#[test]
fn a_one_megabyte_field_is_accepted_whole() {
    let big = incompressible_letters(1 << 20);
    let content = format!("id,note\n1,\"{big}\"\n2,short\n");

    let (upload, _staging_parent) = accepted(&[("notes/a.csv", text(&content))]);

    let table = &upload.tables[0];
    assert_eq!(table.n_rows, 2);
    let staged = std::fs::read_to_string(&table.csv_files[0]).unwrap();
    assert!(staged.contains(&big));
}

#[test]
fn a_field_over_the_limit_is_refused_with_its_line_and_column() {
    let options = IngestOptions {
        limits: IngestLimits {
            max_field_bytes: 1_000,
            ..IngestLimits::default()
        },
        ..IngestOptions::default()
    };
    let content = format!("id,note\n1,ok\n2,{}\n", "x".repeat(1_001));

    let err = refusal(&[("notes/a.csv", text(&content))], &options);

    assert_eq!(
        err.to_string(),
        "`notes/a.csv` line 3 column 2: cell larger than 1000 bytes"
    );
}

#[test]
fn a_row_that_never_ends_is_stopped_before_it_is_held_whole() {
    let options = IngestOptions {
        limits: IngestLimits {
            max_row_bytes: 1 << 20,
            ..IngestLimits::default()
        },
        ..IngestOptions::default()
    };
    let content = format!("id,note\n1,\"{}", incompressible_letters(4 << 20));

    let err = refusal(&[("notes/a.csv", text(&content))], &options);

    assert!(
        matches!(err, IngestError::RowTooLarge { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn mixed_line_endings_are_accepted() {
    let content = "id,name\r\n1,a\n2,b\r3,c\r\n";

    let (upload, _staging_parent) = accepted(&[("t/a.csv", text(content))]);

    assert_eq!(upload.tables[0].n_rows, 3);
    assert_eq!(upload.tables[0].columns[0].column_type, ColumnType::BigInt);
}

#[test]
fn a_byte_order_mark_is_stripped() {
    let mut content = vec![0xEF, 0xBB, 0xBF];
    content.extend(b"Customer ID,name\n1,a\n");

    let (upload, _staging_parent) = accepted(&[("t/a.csv", content)]);

    let column = &upload.tables[0].columns[0];
    assert_eq!(
        (column.name.as_str(), column.original_name.as_str()),
        ("customer_id", "Customer ID")
    );
    let staged = std::fs::read(&upload.tables[0].csv_files[0]).unwrap();
    assert!(staged.starts_with(b"customer_id,name\n"));
}

#[test]
fn duplicate_headers_after_normalisation_are_refused() {
    let err = refusal(
        &[("t/a.csv", text("Name,id,name \n1,2,3\n"))],
        &IngestOptions::default(),
    );

    assert_eq!(
        err.to_string(),
        "`t/a.csv` line 1: columns 1 (`Name`) and 3 (`name `) both become `name`"
    );
}

#[test]
fn an_empty_header_name_is_refused() {
    let err = refusal(
        &[("t/a.csv", text("id,,x\n1,2,3\n"))],
        &IngestOptions::default(),
    );

    assert_eq!(
        err.to_string(),
        "`t/a.csv` line 1 column 2: empty column name"
    );
}

#[test]
fn a_data_line_in_place_of_the_header_is_refused() {
    let err = refusal(
        &[("t/a.csv", text("1,2.5,2024-01-01\n2,3,2024-01-02\n"))],
        &IngestOptions::default(),
    );

    assert!(matches!(err, IngestError::HeaderMissing { .. }), "{err}");
}

#[test]
fn ragged_rows_are_refused_with_file_and_line() {
    let err = refusal(
        &[("t/a.csv", text("a,b\n1,2\n3\n"))],
        &IngestOptions::default(),
    );

    assert_eq!(
        err.to_string(),
        "`t/a.csv` line 3: 1 cells, but the header has 2"
    );
}

#[test]
fn invalid_utf8_names_the_line_and_column_and_latin1_transcodes() {
    let content = b"name,city\nJos\xE9,M\xFCnchen\n".to_vec();

    let err = refusal(&[("t/a.csv", content.clone())], &IngestOptions::default());
    let latin1 = IngestOptions {
        encoding: TextEncoding::Latin1,
        ..IngestOptions::default()
    };
    let (outcome, _staging_parent) = prepare_with(&[("t/a.csv", content)], &latin1);

    assert!(
        err.to_string()
            .starts_with("`t/a.csv` line 2 column 1: not valid UTF-8"),
        "{err}"
    );
    let upload = outcome.unwrap();
    let staged = std::fs::read_to_string(&upload.tables[0].csv_files[0]).unwrap();
    assert_eq!(staged, "name,city\nJosé,München\n");
}

#[test]
fn files_of_one_table_must_share_their_header() {
    let err = refusal(
        &[
            ("sales/2023.csv", text("id,amount\n1,2\n")),
            ("sales/2024.csv", text("id,total\n1,2\n")),
        ],
        &IngestOptions::default(),
    );

    assert!(
        matches!(err, IngestError::HeaderMismatch { ref entry, .. } if entry == "sales/2024.csv"),
        "{err}"
    );
}

#[test]
fn symbolic_links_are_refused() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer
        .add_symlink("t/a.csv", "/etc/passwd", SimpleFileOptions::default())
        .unwrap();
    let mut archive = writer.finish().unwrap();
    archive.set_position(0);
    let staging_parent = tempfile::tempdir().unwrap();

    let err = prepare_upload(
        archive,
        staging_parent.path(),
        &IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();

    assert_eq!(
        err,
        IngestError::SymbolicLink {
            entry: "t/a.csv".to_owned()
        }
    );
    assert_is_empty(staging_parent.path());
}

#[test]
fn types_are_inferred_over_the_whole_file() {
    let mut content = String::from("id,code\n");
    for row_idx in 0..100_000 {
        content.push_str(&format!("{row_idx},{row_idx}\n"));
    }
    content.push_str("100000,late-text\n");

    let (upload, _staging_parent) = accepted(&[("t/a.csv", text(&content))]);

    let types: Vec<ColumnType> = upload.tables[0]
        .columns
        .iter()
        .map(|c| c.column_type)
        .collect();
    assert_eq!(types, [ColumnType::BigInt, ColumnType::Text]);
}

#[test]
fn the_seed_layout_becomes_four_tables_and_leaves_nothing_when_dropped() {
    let entries = [
        (
            "your_database/customers/customers.csv",
            text("customer_id,customer_name\n1,Ann\n"),
        ),
        (
            "your_database/orders/orders.csv",
            text("order_id;customer_id;amount\n1;1;9.5\n"),
        ),
        (
            "your_database/products/products.csv",
            text("product_id\tname\n1\tTea\n"),
        ),
        (
            "your_database/sales/sales_2023.csv",
            text("sale_id|sold_on\n1|2023-05-01\n"),
        ),
        (
            "your_database/sales/sales_2024.csv",
            text("sale_id|sold_on\n2|2024-05-01\n"),
        ),
    ];

    let (upload, staging_parent) = accepted(&entries);

    let names: Vec<(&str, u64)> = upload
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.n_rows))
        .collect();
    assert_eq!(
        names,
        [
            ("customers", 1),
            ("orders", 1),
            ("products", 1),
            ("sales", 2)
        ]
    );
    assert_eq!(upload.tables[3].columns[1].column_type, ColumnType::Date);
    drop(upload);
    assert_is_empty(staging_parent.path());
}
