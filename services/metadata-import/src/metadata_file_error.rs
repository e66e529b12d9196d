//! Why a metadata file was refused, and where in the file.
//!
//! Invariant: every problem with a row names the row's location.

use std::fmt;

/// Where a row of a metadata file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowLocation {
    /// A CSV record, by its line number (1-based, the header is line 1).
    Line(u64),
    /// An XLSX row of a worksheet, by its row number as Excel shows it.
    SheetRow {
        /// Worksheet name.
        sheet: String,
        /// Row number (1-based).
        row: u64,
    },
    /// A YAML entry, by its path (`tables[1].columns[0]`).
    Entry(String),
}

impl fmt::Display for RowLocation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowLocation::Line(line) => write!(formatter, "line {line}"),
            RowLocation::SheetRow { sheet, row } => write!(formatter, "sheet `{sheet}` row {row}"),
            RowLocation::Entry(path) => write!(formatter, "entry {path}"),
        }
    }
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// The `kind` is none of `table`, `column`, `metric`.
    UnknownKind(String),
    /// A table or column row names no table.
    MissingTableName,
    /// A column or metric row has no name.
    MissingName,
    /// The description is empty.
    MissingDescription,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowProblem::UnknownKind(kind) => write!(
                formatter,
                "unknown kind `{kind}` (expected table, column or metric)"
            ),
            RowProblem::MissingTableName => formatter.write_str("the table name is missing"),
            RowProblem::MissingName => {
                formatter.write_str("the name (of the column or metric) is missing")
            }
            RowProblem::MissingDescription => formatter.write_str("the description is missing"),
        }
    }
}

/// A metadata file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataFileError {
    /// The extension is not `.csv`, `.xlsx`, `.yaml` or `.yml`.
    #[error("cannot tell the format of {path}: use a .csv, .xlsx, .yaml or .yml file")]
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What the file system reported.
        message: String,
    },
    /// The file is larger than [`crate::MAX_FILE_BYTES`].
    #[error("the metadata file has {n_bytes} bytes; at most {max_bytes} are read")]
    TooLarge {
        /// Size of the file.
        n_bytes: u64,
        /// The limit.
        max_bytes: u64,
    },
    /// The file is not well-formed CSV, XLSX or YAML.
    #[error("the metadata file is malformed: {0}")]
    Malformed(String),
    /// The header lacks a required column.
    #[error(
        "the header has no `{0}` column (expected kind, table, name, description and optionally sql)"
    )]
    MissingColumn(&'static str),
    /// One row is unusable.
    #[error("{location}: {problem}")]
    BadRow {
        /// Where the row is.
        location: RowLocation,
        /// What is wrong with it.
        problem: RowProblem,
    },
    /// Two rows describe the same thing.
    #[error("{location}: {what} is already described at {first_location}")]
    Duplicate {
        /// The second row.
        location: RowLocation,
        /// The row that described it first.
        first_location: RowLocation,
        /// What is described twice (`column orders.amount`).
        what: String,
    },
}
