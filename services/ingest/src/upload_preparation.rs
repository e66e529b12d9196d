//! [`prepare_upload`]: one ZIP archive in, validated table plans with normalised CSV files
//! out, reading the archive entry by entry.
//!
//! Invariant: on any error nothing is left in the staging parent; on success only the
//! returned upload's own staging directory.

use std::cell::Cell;
use std::io::{Read, Seek};
use std::path::Path;
use std::rc::Rc;

use zip::ZipArchive;

use crate::archive_layout::{ArchiveEntry, TableSource, plan_layout};
use crate::column_types::TypeCandidates;
use crate::csv_normalisation::{HeaderColumn, normalise_csv};
use crate::entry_limits::LimitedEntryReader;
use crate::ingest_error::IngestError;
use crate::ingest_options::IngestOptions;
use crate::staging_dir::StagingDir;
use crate::table_plan::{ColumnPlan, PreparedUpload, TablePlan};

/// What [`prepare_upload`] is doing, for progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestProgress {
    /// The archive's layout is known.
    LayoutPlanned {
        /// Tables found.
        n_tables: usize,
        /// CSV files found.
        n_files: usize,
        /// The CSV files in the order they will be checked.
        files: Vec<PlannedFile>,
    },
    /// An entry is being validated.
    EntryStarted {
        /// Entry name.
        entry: String,
        /// Table it belongs to.
        table: String,
        /// Declared uncompressed size in bytes.
        n_bytes: u64,
    },
    /// An entry passed.
    EntryFinished {
        /// Entry name.
        entry: String,
        /// Data rows.
        n_rows: u64,
    },
}

/// One CSV file of the archive's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Entry name.
    pub entry: String,
    /// Table it belongs to.
    pub table: String,
    /// Declared uncompressed size in bytes.
    pub n_bytes: u64,
}

/// Validates and normalises every CSV file of the ZIP `archive` into a fresh directory under
/// `staging_parent`, calling `progress` as it goes.
pub fn prepare_upload<R: Read + Seek>(
    archive: R,
    staging_parent: &Path,
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
) -> Result<PreparedUpload, IngestError> {
    let unreadable = |err: zip::result::ZipError| IngestError::ArchiveUnreadable {
        message: err.to_string(),
    };
    let mut zip_archive = ZipArchive::new(archive).map_err(unreadable)?;
    if zip_archive.has_duplicate_names() {
        return Err(IngestError::DuplicateEntry {
            entry: "(several)".to_owned(),
        });
    }
    let mut entries = Vec::with_capacity(zip_archive.len());
    for index in 0..zip_archive.len() {
        let entry = zip_archive.by_index_data(index).map_err(unreadable)?;
        entries.push(ArchiveEntry {
            index,
            name: entry.name().map_err(unreadable)?.into_owned(),
            is_dir: entry.is_dir(),
            is_symlink: entry.is_symlink(),
            is_encrypted: entry.encrypted(),
            size: entry.size(),
            compressed_size: entry.compressed_size(),
        });
    }
    let layout = plan_layout(entries, &options.limits)?;
    let files: Vec<PlannedFile> = layout
        .tables
        .iter()
        .flat_map(|table| {
            table.entries.iter().map(|entry| PlannedFile {
                entry: entry.name.clone(),
                table: table.name.clone(),
                n_bytes: entry.size,
            })
        })
        .collect();
    progress(IngestProgress::LayoutPlanned {
        n_tables: layout.tables.len(),
        n_files: files.len(),
        files,
    });

    let staging_dir = StagingDir::create(staging_parent)?;
    let total_bytes = Rc::new(Cell::new(0u64));
    let mut tables = Vec::with_capacity(layout.tables.len());
    for table_source in &layout.tables {
        tables.push(prepare_table(
            &mut zip_archive,
            table_source,
            &staging_dir,
            &total_bytes,
            options,
            progress,
        )?);
    }
    Ok(PreparedUpload::new(
        tables,
        layout.skipped_entries,
        total_bytes.get(),
        staging_dir,
    ))
}

fn prepare_table<R: Read + Seek>(
    zip_archive: &mut ZipArchive<R>,
    table_source: &TableSource,
    staging_dir: &StagingDir,
    total_bytes: &Rc<Cell<u64>>,
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
) -> Result<TablePlan, IngestError> {
    let mut header: Option<(String, Vec<HeaderColumn>)> = None;
    let mut candidates: Vec<TypeCandidates> = Vec::new();
    let mut csv_files = Vec::with_capacity(table_source.entries.len());
    let mut n_rows = 0u64;
    for (file_idx, entry) in table_source.entries.iter().enumerate() {
        progress(IngestProgress::EntryStarted {
            entry: entry.name.clone(),
            table: table_source.name.clone(),
            n_bytes: entry.size,
        });
        let zip_file =
            zip_archive
                .by_index(entry.index)
                .map_err(|err| IngestError::EntryUnreadable {
                    entry: entry.name.clone(),
                    message: err.to_string(),
                })?;
        let reader = LimitedEntryReader::new(
            zip_file,
            &entry.name,
            entry.compressed_size,
            total_bytes.clone(),
            &options.limits,
        );
        let output = staging_dir
            .path()
            .join(format!("{}-{file_idx}.csv", table_source.name));
        let normalised = normalise_csv(&entry.name, reader, &output, options)?;
        match &header {
            None => {
                header = Some((entry.name.clone(), normalised.columns.clone()));
                candidates = normalised.candidates;
            }
            Some((first_entry, first_columns)) => {
                let names = |columns: &[HeaderColumn]| {
                    columns
                        .iter()
                        .map(|column| column.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if names(first_columns) != names(&normalised.columns) {
                    return Err(IngestError::HeaderMismatch {
                        table: table_source.name.clone(),
                        entry: entry.name.clone(),
                        first_entry: first_entry.clone(),
                        expected: names(first_columns),
                        found: names(&normalised.columns),
                    });
                }
                for (merged, seen) in candidates.iter_mut().zip(normalised.candidates) {
                    merged.merge(seen);
                }
            }
        }
        progress(IngestProgress::EntryFinished {
            entry: entry.name.clone(),
            n_rows: normalised.n_rows,
        });
        n_rows += normalised.n_rows;
        csv_files.push(output);
    }
    let (_, header_columns) = header.expect("a table source holds at least one entry");
    let columns = header_columns
        .into_iter()
        .zip(candidates)
        .map(|(column, candidates)| ColumnPlan {
            name: column.name,
            original_name: column.original_name,
            column_type: candidates.column_type(),
        })
        .collect();
    Ok(TablePlan {
        name: table_source.name.clone(),
        source: table_source.source.clone(),
        source_entries: table_source
            .entries
            .iter()
            .map(|entry| entry.name.clone())
            .collect(),
        columns,
        csv_files,
        n_rows,
    })
}
