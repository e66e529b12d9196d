//! [`IngestOptions`]: the limits an upload must stay within and how its text is decoded.
//!
//! Invariant: the defaults are safe for an untrusted upload; callers only ever tighten or
//! consciously widen them.

/// Size and shape limits of one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestLimits {
    /// Sum of the uncompressed sizes of all entries, in bytes (default 2 GiB).
    pub max_total_bytes: u64,
    /// Uncompressed size of one entry, in bytes (default 1 GiB).
    pub max_entry_bytes: u64,
    /// Uncompressed bytes per compressed byte of one entry (default 100); CSV text usually
    /// compresses 3-15 times, zip bombs a thousand times and more.
    pub max_compression_ratio: u64,
    /// Entries in the archive, folders included (default 1,000).
    pub max_entries: usize,
    /// Columns of one table (default 1,000).
    pub max_columns: usize,
    /// Bytes of one cell (default 8 MiB).
    pub max_field_bytes: usize,
    /// Bytes of one row (default 32 MiB); enforced while the row is read, so a file that is
    /// one endless row never sits in memory whole.
    pub max_row_bytes: u64,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_total_bytes: 2 << 30,
            max_entry_bytes: 1 << 30,
            max_compression_ratio: 100,
            max_entries: 1_000,
            max_columns: 1_000,
            max_field_bytes: 8 << 20,
            max_row_bytes: 32 << 20,
        }
    }
}

/// How the bytes of a CSV file become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8 only; any invalid byte sequence refuses the file with its line and column.
    #[default]
    Utf8,
    /// ISO-8859-1 (Latin-1): every byte is one character, transcoded to UTF-8. A file that
    /// starts with a UTF-8 byte-order mark is read as UTF-8 all the same.
    Latin1,
}

/// Everything that shapes one ingestion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IngestOptions {
    /// Size and shape limits.
    pub limits: IngestLimits,
    /// Decoding of the CSV bytes.
    pub encoding: TextEncoding,
}
