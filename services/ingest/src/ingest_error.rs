//! [`IngestError`]: every way an upload can be refused, each naming the archive entry (and the
//! line and column where one applies) so the user knows what to fix.
//!
//! Invariant: messages never quote cell values, only names, positions and sizes.

use contracts::error::ErrorKind;

/// Why an upload was refused. Lines are 1-based and count physical lines of the CSV file
/// (a quoted field spanning lines counts each of them); columns are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The archive is not a ZIP file, or its central directory is damaged.
    #[error("the upload is not a readable ZIP archive: {message}")]
    ArchiveUnreadable {
        /// What the ZIP reader reported.
        message: String,
    },
    /// The archive holds no file at all.
    #[error("the ZIP archive is empty")]
    EmptyArchive,
    /// The archive holds no CSV file; `skipped` lists what it held instead.
    #[error("the ZIP archive holds no .csv file (skipped: {skipped})")]
    NoCsvFiles {
        /// Comma-separated names of the skipped entries.
        skipped: String,
    },
    /// More entries than the limit.
    #[error("the ZIP archive holds {n_entries} entries; at most {max_entries} are accepted")]
    TooManyEntries {
        /// Entries in the central directory.
        n_entries: usize,
        /// The limit.
        max_entries: usize,
    },
    /// Two entries carry the same name.
    #[error("the ZIP archive holds two entries named `{entry}`")]
    DuplicateEntry {
        /// The repeated name.
        entry: String,
    },
    /// An entry name is absolute or climbs out of the archive (`..`): a "zip slip".
    #[error("`{entry}`: absolute paths and `..` are not allowed in entry names")]
    UnsafePath {
        /// The entry name as stored.
        entry: String,
    },
    /// An entry is a symbolic link.
    #[error("`{entry}`: symbolic links are not allowed")]
    SymbolicLink {
        /// The entry name.
        entry: String,
    },
    /// An entry is itself an archive.
    #[error("`{entry}`: archives inside the archive are not accepted; unpack it first")]
    NestedArchive {
        /// The entry name.
        entry: String,
    },
    /// An entry is encrypted.
    #[error("`{entry}`: encrypted entries are not accepted")]
    EncryptedEntry {
        /// The entry name.
        entry: String,
    },
    /// A CSV file sits deeper than `<folder>/<file>.csv` (below the optional wrapping folder).
    #[error(
        "`{entry}`: CSV files must sit in a top-level folder (one folder = one table), not deeper"
    )]
    NestedFolder {
        /// The entry name.
        entry: String,
    },
    /// A folder or file name gives no usable table name.
    #[error("`{entry}`: `{name}` gives no usable table name")]
    InvalidTableName {
        /// The entry name.
        entry: String,
        /// The folder or file name.
        name: String,
    },
    /// Two folders normalise to the same table name.
    #[error("folders `{first}` and `{second}` both become table `{table}`; rename one")]
    DuplicateTableName {
        /// The normalised name.
        table: String,
        /// First folder.
        first: String,
        /// Second folder.
        second: String,
    },
    /// One entry decompresses to more than the per-entry limit.
    #[error("`{entry}`: larger than {max_bytes} bytes uncompressed")]
    EntryTooLarge {
        /// The entry name.
        entry: String,
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// The archive decompresses to more than the total limit.
    #[error("the ZIP archive is larger than {max_bytes} bytes uncompressed")]
    ArchiveTooLarge {
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// An entry expands far more than data compresses: a "zip bomb".
    #[error("`{entry}`: compression ratio above {max_ratio}:1 (possible zip bomb)")]
    CompressionRatioTooHigh {
        /// The entry name.
        entry: String,
        /// The limit (uncompressed bytes per compressed byte).
        max_ratio: u64,
    },
    /// The file holds NUL bytes or another binary signature.
    #[error("`{entry}`: not a text file (binary content); only CSV text is accepted")]
    BinaryFile {
        /// The entry name.
        entry: String,
    },
    /// The file starts with a UTF-16 or UTF-32 byte-order mark.
    #[error("`{entry}`: {encoding} is not supported; save the file as UTF-8")]
    UnsupportedEncoding {
        /// The entry name.
        entry: String,
        /// The encoding the byte-order mark announces.
        encoding: &'static str,
    },
    /// A cell is not valid UTF-8.
    #[error(
        "`{entry}` line {line} column {column}: not valid UTF-8; save the file as UTF-8 or ingest with the Latin-1 encoding"
    )]
    InvalidUtf8 {
        /// The entry name.
        entry: String,
        /// Line of the cell.
        line: u64,
        /// Column of the cell.
        column: usize,
    },
    /// The file is empty (no header line).
    #[error("`{entry}`: the file is empty; a header line is required")]
    EmptyFile {
        /// The entry name.
        entry: String,
    },
    /// The first line looks like data, not names.
    #[error(
        "`{entry}` line 1: the first line looks like data (every cell is a number, date or boolean); a header line is required"
    )]
    HeaderMissing {
        /// The entry name.
        entry: String,
    },
    /// A header cell is empty, or holds no letter or digit.
    #[error("`{entry}` line 1 column {column}: empty column name")]
    EmptyColumnName {
        /// The entry name.
        entry: String,
        /// Column of the empty name.
        column: usize,
    },
    /// Two header cells become the same column name.
    #[error(
        "`{entry}` line 1: columns {first_column} (`{first_original}`) and {second_column} (`{second_original}`) both become `{name}`"
    )]
    DuplicateColumnName {
        /// The entry name.
        entry: String,
        /// The normalised name.
        name: String,
        /// Position of the first.
        first_column: usize,
        /// Header text of the first.
        first_original: String,
        /// Position of the second.
        second_column: usize,
        /// Header text of the second.
        second_original: String,
    },
    /// More columns than the limit.
    #[error("`{entry}` line 1: {n_columns} columns; at most {max_columns} are accepted")]
    TooManyColumns {
        /// The entry name.
        entry: String,
        /// Columns in the header.
        n_columns: usize,
        /// The limit.
        max_columns: usize,
    },
    /// A row has another number of cells than the header.
    #[error("`{entry}` line {line}: {n_found} cells, but the header has {n_expected}")]
    RaggedRow {
        /// The entry name.
        entry: String,
        /// Line where the row starts.
        line: u64,
        /// Cells in the header.
        n_expected: usize,
        /// Cells in the row.
        n_found: usize,
    },
    /// One cell is larger than the limit.
    #[error("`{entry}` line {line} column {column}: cell larger than {max_bytes} bytes")]
    FieldTooLarge {
        /// The entry name.
        entry: String,
        /// Line where the row starts.
        line: u64,
        /// Column of the cell.
        column: usize,
        /// The limit in bytes.
        max_bytes: usize,
    },
    /// One row is larger than the limit (checked while reading, before it is held whole).
    #[error("`{entry}` line {line}: row larger than {max_bytes} bytes")]
    RowTooLarge {
        /// The entry name.
        entry: String,
        /// Line where the row starts.
        line: u64,
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// The CSV syntax is broken (for example an unterminated quote).
    #[error("`{entry}` line {line}: malformed CSV: {message}")]
    MalformedCsv {
        /// The entry name.
        entry: String,
        /// Line where the problem was found.
        line: u64,
        /// What the parser reported.
        message: String,
    },
    /// A second file of a table has other columns than the first.
    #[error(
        "`{entry}`: its columns ({found}) differ from those of `{first_entry}` ({expected}); every file of table `{table}` needs the same header"
    )]
    HeaderMismatch {
        /// The table.
        table: String,
        /// The file that differs.
        entry: String,
        /// The table's first file.
        first_entry: String,
        /// Normalised names of the first file.
        expected: String,
        /// Normalised names of this file.
        found: String,
    },
    /// The archive's data could not be read (a damaged entry, a CRC mismatch).
    #[error("`{entry}`: could not be read: {message}")]
    EntryUnreadable {
        /// The entry name.
        entry: String,
        /// What the reader reported.
        message: String,
    },
    /// The staging directory could not be written.
    #[error("staging directory {path}: {message}")]
    Staging {
        /// The path.
        path: String,
        /// What the file system reported.
        message: String,
    },
}

impl IngestError {
    /// The archive entry at fault, when the error is about one entry.
    pub fn entry(&self) -> Option<&str> {
        match self {
            IngestError::DuplicateEntry { entry, .. }
            | IngestError::UnsafePath { entry, .. }
            | IngestError::SymbolicLink { entry, .. }
            | IngestError::NestedArchive { entry, .. }
            | IngestError::EncryptedEntry { entry, .. }
            | IngestError::NestedFolder { entry, .. }
            | IngestError::InvalidTableName { entry, .. }
            | IngestError::EntryTooLarge { entry, .. }
            | IngestError::CompressionRatioTooHigh { entry, .. }
            | IngestError::BinaryFile { entry, .. }
            | IngestError::UnsupportedEncoding { entry, .. }
            | IngestError::InvalidUtf8 { entry, .. }
            | IngestError::EmptyFile { entry, .. }
            | IngestError::HeaderMissing { entry, .. }
            | IngestError::EmptyColumnName { entry, .. }
            | IngestError::DuplicateColumnName { entry, .. }
            | IngestError::TooManyColumns { entry, .. }
            | IngestError::RaggedRow { entry, .. }
            | IngestError::FieldTooLarge { entry, .. }
            | IngestError::RowTooLarge { entry, .. }
            | IngestError::MalformedCsv { entry, .. }
            | IngestError::HeaderMismatch { entry, .. }
            | IngestError::EntryUnreadable { entry, .. } => Some(entry),
            IngestError::ArchiveUnreadable { .. }
            | IngestError::EmptyArchive
            | IngestError::NoCsvFiles { .. }
            | IngestError::TooManyEntries { .. }
            | IngestError::DuplicateTableName { .. }
            | IngestError::ArchiveTooLarge { .. }
            | IngestError::Staging { .. } => None,
        }
    }

    /// Retry class: everything about the upload's content is [`ErrorKind::InvalidInput`];
    /// only a full or broken staging disk is worth a retry.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IngestError::Staging { .. } => ErrorKind::Transient,
            IngestError::ArchiveUnreadable { .. }
            | IngestError::EmptyArchive
            | IngestError::NoCsvFiles { .. }
            | IngestError::TooManyEntries { .. }
            | IngestError::DuplicateEntry { .. }
            | IngestError::UnsafePath { .. }
            | IngestError::SymbolicLink { .. }
            | IngestError::NestedArchive { .. }
            | IngestError::EncryptedEntry { .. }
            | IngestError::NestedFolder { .. }
            | IngestError::InvalidTableName { .. }
            | IngestError::DuplicateTableName { .. }
            | IngestError::EntryTooLarge { .. }
            | IngestError::ArchiveTooLarge { .. }
            | IngestError::CompressionRatioTooHigh { .. }
            | IngestError::BinaryFile { .. }
            | IngestError::UnsupportedEncoding { .. }
            | IngestError::InvalidUtf8 { .. }
            | IngestError::EmptyFile { .. }
            | IngestError::HeaderMissing { .. }
            | IngestError::EmptyColumnName { .. }
            | IngestError::DuplicateColumnName { .. }
            | IngestError::TooManyColumns { .. }
            | IngestError::RaggedRow { .. }
            | IngestError::FieldTooLarge { .. }
            | IngestError::RowTooLarge { .. }
            | IngestError::MalformedCsv { .. }
            | IngestError::HeaderMismatch { .. }
            | IngestError::EntryUnreadable { .. } => ErrorKind::InvalidInput,
        }
    }
}
