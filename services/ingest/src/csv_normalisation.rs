//! Streaming one CSV file into its normalised form: decoded to UTF-8, byte-order mark
//! dropped, comma-separated with `"` quotes and `\n` line ends, header replaced by the
//! normalised column names; every cell validated and fed to type inference on the way.
//!
//! Invariant: memory stays bounded by one sample, one row (at most `max_row_bytes`) and the
//! per-column type state, whatever the file's size.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::rc::Rc;

use crate::column_types::{TypeCandidates, looks_like_data};
use crate::csv_dialect::sniff_dialect;
use crate::entry_limits::limit_error;
use crate::identifier_normalisation::normalise_identifier;
use crate::ingest_error::IngestError;
use crate::ingest_options::{IngestOptions, TextEncoding};

/// Bytes read up front to find the byte-order mark, binary content and the dialect.
const SAMPLE_BYTES: usize = 64 << 10;
/// Buffer of the CSV reader and writer.
const BUFFER_BYTES: usize = 256 << 10;
/// Prefix of a column name that would start with a digit.
const COLUMN_DIGIT_PREFIX: &str = "col_";

/// One header cell: its normalised name and the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderColumn {
    /// `snake_case` identifier.
    pub(crate) name: String,
    /// The header cell as written, decoded.
    pub(crate) original_name: String,
}

/// What normalising one file learned.
#[derive(Debug)]
pub(crate) struct NormalisedFile {
    /// The header, in file order.
    pub(crate) columns: Vec<HeaderColumn>,
    /// Types each column's cells fit.
    pub(crate) candidates: Vec<TypeCandidates>,
    /// Data rows written (rows whose every cell is empty are skipped like blank lines).
    pub(crate) n_rows: u64,
}

/// Reads the CSV text of `entry` from `reader` and writes its normalised form to `output`.
pub(crate) fn normalise_csv(
    entry: &str,
    mut reader: impl Read,
    output: &Path,
    options: &IngestOptions,
) -> Result<NormalisedFile, IngestError> {
    let read_failed = |err: io::Error| read_error(entry, err);
    let sample = read_sample(&mut reader).map_err(read_failed)?;
    let (body_start, encoding) = check_start(entry, &sample, options.encoding)?;
    let dialect = sniff_dialect(&sample[body_start..]);

    let row_start = Rc::new(Cell::new(0u64));
    let guarded = RowSizeGuard {
        inner: io::Cursor::new(sample).chain(reader),
        n_bytes: 0,
        row_start: row_start.clone(),
        max_row_bytes: options.limits.max_row_bytes + BUFFER_BYTES as u64 + body_start as u64,
    };
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .quote(dialect.quote)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(BUFFER_BYTES)
        .from_reader(guarded);
    let file = File::create(output).map_err(|err| staging_error(output, err))?;
    let mut csv_writer = csv::WriterBuilder::new()
        .buffer_capacity(BUFFER_BYTES)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(BUFFER_BYTES, file));

    let mut record = csv::ByteRecord::new();
    let header_read = read_record(entry, &mut csv_reader, &mut record, &options.limits)?;
    if !header_read {
        return Err(IngestError::EmptyFile {
            entry: entry.to_owned(),
        });
    }
    let mut text = String::new();
    let mut header_cells = Vec::with_capacity(record.len());
    // The CSV reader drops a UTF-8 byte-order mark itself.
    for (column_idx, cell) in record.iter().enumerate() {
        decode_cell(entry, cell, encoding, 1, column_idx + 1, &mut text)?;
        header_cells.push(text.clone());
    }
    let columns = normalise_header(entry, &header_cells, &options.limits)?;
    let n_columns = columns.len();
    csv_writer
        .write_record(columns.iter().map(|column| column.name.as_bytes()))
        .map_err(|err| staging_error(output, err.into()))?;

    let mut candidates = vec![TypeCandidates::default(); n_columns];
    let mut out_record = csv::ByteRecord::new();
    let mut n_rows = 0u64;
    loop {
        row_start.set(csv_reader.position().byte());
        if !read_record(entry, &mut csv_reader, &mut record, &options.limits)? {
            break;
        }
        if record.iter().all(<[u8]>::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != n_columns {
            return Err(IngestError::RaggedRow {
                entry: entry.to_owned(),
                line,
                n_expected: n_columns,
                n_found: record.len(),
            });
        }
        out_record.clear();
        for (column_idx, cell) in record.iter().enumerate() {
            if cell.len() > options.limits.max_field_bytes {
                return Err(IngestError::FieldTooLarge {
                    entry: entry.to_owned(),
                    line,
                    column: column_idx + 1,
                    max_bytes: options.limits.max_field_bytes,
                });
            }
            decode_cell(entry, cell, encoding, line, column_idx + 1, &mut text)?;
            candidates[column_idx].observe(&text);
            out_record.push_field(text.as_bytes());
        }
        csv_writer
            .write_byte_record(&out_record)
            .map_err(|err| staging_error(output, err.into()))?;
        n_rows += 1;
    }
    let mut buffered = csv_writer
        .into_inner()
        .map_err(|err| staging_error(output, err.into_error()))?;
    buffered.flush().map_err(|err| staging_error(output, err))?;

    Ok(NormalisedFile {
        columns,
        candidates,
        n_rows,
    })
}

/// Fails a reader whose current row has grown past the limit, before the CSV reader holds
/// it whole.
struct RowSizeGuard<R> {
    inner: R,
    n_bytes: u64,
    row_start: Rc<Cell<u64>>,
    max_row_bytes: u64,
}

/// Marker carried inside the `io::Error` of a [`RowSizeGuard`].
#[derive(Debug, thiserror::Error)]
#[error("row too large")]
struct RowTooLarge;

impl<R: Read> Read for RowSizeGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.n_bytes.saturating_sub(self.row_start.get()) > self.max_row_bytes {
            return Err(io::Error::other(RowTooLarge));
        }
        let n_read = self.inner.read(buf)?;
        self.n_bytes += n_read as u64;
        Ok(n_read)
    }
}

/// Reads the next record; `false` at the end of the file.
fn read_record<R: Read>(
    entry: &str,
    csv_reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    limits: &crate::ingest_options::IngestLimits,
) -> Result<bool, IngestError> {
    csv_reader.read_byte_record(record).map_err(|err| {
        let line = err
            .position()
            .map_or_else(|| csv_reader.position().line(), csv::Position::line);
        match err.into_kind() {
            csv::ErrorKind::Io(io_err) => {
                if io_err
                    .get_ref()
                    .is_some_and(|inner| inner.is::<RowTooLarge>())
                {
                    IngestError::RowTooLarge {
                        entry: entry.to_owned(),
                        line,
                        max_bytes: limits.max_row_bytes,
                    }
                } else {
                    read_error(entry, io_err)
                }
            }
            other => IngestError::MalformedCsv {
                entry: entry.to_owned(),
                line,
                message: format!("{other:?}"),
            },
        }
    })
}

fn read_sample(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    reader.take(SAMPLE_BYTES as u64).read_to_end(&mut sample)?;
    Ok(sample)
}

/// Where the text starts (after a byte-order mark) and how it is decoded; refuses empty,
/// binary, nested-archive and UTF-16/32 content.
fn check_start(
    entry: &str,
    sample: &[u8],
    configured: TextEncoding,
) -> Result<(usize, TextEncoding), IngestError> {
    let unsupported = |encoding| IngestError::UnsupportedEncoding {
        entry: entry.to_owned(),
        encoding,
    };
    if sample.starts_with(&[0xFF, 0xFE, 0, 0]) || sample.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(unsupported("UTF-32"));
    }
    if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
        return Err(unsupported("UTF-16"));
    }
    if sample.starts_with(b"PK\x03\x04") {
        return Err(IngestError::NestedArchive {
            entry: entry.to_owned(),
        });
    }
    let (body_start, encoding) = if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (3, TextEncoding::Utf8)
    } else {
        (0, configured)
    };
    if sample[body_start..].iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::EmptyFile {
            entry: entry.to_owned(),
        });
    }
    if sample.contains(&0) {
        return Err(IngestError::BinaryFile {
            entry: entry.to_owned(),
        });
    }
    Ok((body_start, encoding))
}

/// Decodes one cell into `text`.
fn decode_cell(
    entry: &str,
    cell: &[u8],
    encoding: TextEncoding,
    line: u64,
    column: usize,
    text: &mut String,
) -> Result<(), IngestError> {
    text.clear();
    if cell.contains(&0) {
        return Err(IngestError::BinaryFile {
            entry: entry.to_owned(),
        });
    }
    match encoding {
        TextEncoding::Utf8 => {
            let decoded = std::str::from_utf8(cell).map_err(|_| IngestError::InvalidUtf8 {
                entry: entry.to_owned(),
                line,
                column,
            })?;
            text.push_str(decoded);
        }
        TextEncoding::Latin1 => text.extend(cell.iter().map(|&byte| char::from(byte))),
    }
    Ok(())
}

/// Normalised names of the header cells; refuses empty and duplicate names, too many
/// columns, and a first line that looks like data.
fn normalise_header(
    entry: &str,
    header_cells: &[String],
    limits: &crate::ingest_options::IngestLimits,
) -> Result<Vec<HeaderColumn>, IngestError> {
    if header_cells.len() > limits.max_columns {
        return Err(IngestError::TooManyColumns {
            entry: entry.to_owned(),
            n_columns: header_cells.len(),
            max_columns: limits.max_columns,
        });
    }
    if header_cells.iter().all(|cell| looks_like_data(cell.trim())) {
        return Err(IngestError::HeaderMissing {
            entry: entry.to_owned(),
        });
    }
    let mut columns: Vec<HeaderColumn> = Vec::with_capacity(header_cells.len());
    let mut positions: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(header_cells.len());
    for (column_idx, original_name) in header_cells.iter().enumerate() {
        let name = normalise_identifier(original_name, COLUMN_DIGIT_PREFIX).ok_or_else(|| {
            IngestError::EmptyColumnName {
                entry: entry.to_owned(),
                column: column_idx + 1,
            }
        })?;
        if let Some(&first_idx) = positions.get(&name) {
            return Err(IngestError::DuplicateColumnName {
                entry: entry.to_owned(),
                name,
                first_column: first_idx + 1,
                first_original: header_cells[first_idx].clone(),
                second_column: column_idx + 1,
                second_original: original_name.clone(),
            });
        }
        positions.insert(name.clone(), column_idx);
        columns.push(HeaderColumn {
            name,
            original_name: original_name.trim().to_owned(),
        });
    }
    Ok(columns)
}

fn read_error(entry: &str, err: io::Error) -> IngestError {
    limit_error(&err).unwrap_or_else(|| IngestError::EntryUnreadable {
        entry: entry.to_owned(),
        message: err.to_string(),
    })
}

fn staging_error(path: &Path, err: io::Error) -> IngestError {
    IngestError::Staging {
        path: path.display().to_string(),
        message: err.to_string(),
    }
}
