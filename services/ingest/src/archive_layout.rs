//! Reading an archive's central directory into tables: checks every entry name and declared
//! size, then groups the CSV files by top-level folder (one folder = one table), looking
//! through a single wrapping root folder.
//!
//! Invariant: works on names and declared sizes only; it never decompresses anything.

use std::collections::{BTreeMap, HashSet};

use crate::entry_limits::exceeds_ratio;
use crate::identifier_normalisation::normalise_identifier;
use crate::ingest_error::IngestError;
use crate::ingest_options::IngestLimits;

/// Prefix of a table name that would start with a digit.
const TABLE_DIGIT_PREFIX: &str = "t_";
/// Extensions of archives and compressed files, refused as nested archives.
const ARCHIVE_EXTENSIONS: [&str; 10] = [
    "zip", "gz", "tgz", "tar", "7z", "rar", "bz2", "xz", "zst", "jar",
];
/// File names that operating systems add to archives; skipped.
const SYSTEM_FILE_NAMES: [&str; 3] = [".ds_store", "thumbs.db", "desktop.ini"];

/// One central-directory entry as the layout needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArchiveEntry {
    /// Position in the archive.
    pub(crate) index: usize,
    /// Name as stored.
    pub(crate) name: String,
    /// A folder entry.
    pub(crate) is_dir: bool,
    /// A symbolic link.
    pub(crate) is_symlink: bool,
    /// Encrypted data.
    pub(crate) is_encrypted: bool,
    /// Declared uncompressed size in bytes.
    pub(crate) size: u64,
    /// Compressed size in bytes.
    pub(crate) compressed_size: u64,
}

/// The CSV files of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableSource {
    /// Normalised table name.
    pub(crate) name: String,
    /// The folder (with `/`) or top-level file it comes from, as named in the archive.
    pub(crate) source: String,
    /// Its entries, in name order.
    pub(crate) entries: Vec<ArchiveEntry>,
}

/// The tables of an archive and the entries that are not part of any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArchiveLayout {
    /// Tables in name order.
    pub(crate) tables: Vec<TableSource>,
    /// Names of files that are not CSV (reported, not loaded).
    pub(crate) skipped_entries: Vec<String>,
}

/// Checks the entries and groups the CSV files into tables.
pub(crate) fn plan_layout(
    entries: Vec<ArchiveEntry>,
    limits: &IngestLimits,
) -> Result<ArchiveLayout, IngestError> {
    if entries.is_empty() {
        return Err(IngestError::EmptyArchive);
    }
    if entries.len() > limits.max_entries {
        return Err(IngestError::TooManyEntries {
            n_entries: entries.len(),
            max_entries: limits.max_entries,
        });
    }
    let mut seen_names = HashSet::with_capacity(entries.len());
    let mut csv_entries = Vec::new();
    let mut skipped_entries = Vec::new();
    let mut declared_total = 0u64;
    for entry in entries {
        check_entry(&entry)?;
        if !seen_names.insert(entry.name.clone()) {
            return Err(IngestError::DuplicateEntry { entry: entry.name });
        }
        if entry.is_dir {
            continue;
        }
        let components = path_components(&entry.name);
        let file_name = components
            .last()
            .copied()
            .unwrap_or_default()
            .to_lowercase();
        let extension = file_name.rsplit_once('.').map(|(_, extension)| extension);
        let is_system_file = SYSTEM_FILE_NAMES.contains(&file_name.as_str())
            || file_name.starts_with("._")
            || components.iter().any(|c| c.starts_with("__MACOSX"));
        if is_system_file {
            skipped_entries.push(entry.name);
            continue;
        }
        if extension.is_some_and(|extension| ARCHIVE_EXTENSIONS.contains(&extension)) {
            return Err(IngestError::NestedArchive { entry: entry.name });
        }
        if !matches!(extension, Some("csv" | "tsv")) {
            skipped_entries.push(entry.name);
            continue;
        }
        check_declared_sizes(&entry, limits)?;
        declared_total = declared_total.saturating_add(entry.size);
        if declared_total > limits.max_total_bytes {
            return Err(IngestError::ArchiveTooLarge {
                max_bytes: limits.max_total_bytes,
            });
        }
        csv_entries.push(entry);
    }
    if csv_entries.is_empty() {
        return Err(IngestError::NoCsvFiles {
            skipped: skipped_entries.join(", "),
        });
    }
    let tables = group_into_tables(csv_entries)?;
    Ok(ArchiveLayout {
        tables,
        skipped_entries,
    })
}

fn check_entry(entry: &ArchiveEntry) -> Result<(), IngestError> {
    let name = entry.name.as_str();
    let is_drive_path = name.as_bytes().get(1) == Some(&b':');
    let unsafe_path = name.contains('\0')
        || name.starts_with(['/', '\\'])
        || is_drive_path
        || path_components(name).contains(&"..");
    if unsafe_path {
        return Err(IngestError::UnsafePath {
            entry: name.to_owned(),
        });
    }
    if entry.is_symlink {
        return Err(IngestError::SymbolicLink {
            entry: name.to_owned(),
        });
    }
    if entry.is_encrypted {
        return Err(IngestError::EncryptedEntry {
            entry: name.to_owned(),
        });
    }
    Ok(())
}

fn check_declared_sizes(entry: &ArchiveEntry, limits: &IngestLimits) -> Result<(), IngestError> {
    if entry.size > limits.max_entry_bytes {
        return Err(IngestError::EntryTooLarge {
            entry: entry.name.clone(),
            max_bytes: limits.max_entry_bytes,
        });
    }
    if exceeds_ratio(
        entry.size,
        entry.compressed_size,
        limits.max_compression_ratio,
    ) {
        return Err(IngestError::CompressionRatioTooHigh {
            entry: entry.name.clone(),
            max_ratio: limits.max_compression_ratio,
        });
    }
    Ok(())
}

/// Path components, with `\` taken as a separator too and empty and `.` parts dropped.
fn path_components(name: &str) -> Vec<&str> {
    name.split(['/', '\\'])
        .filter(|component| !component.is_empty() && *component != ".")
        .collect()
}

fn group_into_tables(csv_entries: Vec<ArchiveEntry>) -> Result<Vec<TableSource>, IngestError> {
    let first_components: HashSet<&str> = csv_entries
        .iter()
        .filter_map(|entry| path_components(&entry.name).first().copied())
        .collect();
    let has_wrapping_root = first_components.len() == 1
        && csv_entries
            .iter()
            .all(|entry| path_components(&entry.name).len() >= 2)
        && csv_entries
            .iter()
            .any(|entry| path_components(&entry.name).len() >= 3);
    let n_skipped_components = usize::from(has_wrapping_root);

    let mut tables: BTreeMap<String, TableSource> = BTreeMap::new();
    for entry in csv_entries {
        let components = path_components(&entry.name);
        let components = &components[n_skipped_components..];
        let (raw_name, source) = match components {
            [file_name] => {
                let stem = file_name
                    .rsplit_once('.')
                    .map_or(*file_name, |(stem, _)| stem);
                (stem.to_owned(), (*file_name).to_owned())
            }
            [folder, _file_name] => ((*folder).to_owned(), format!("{folder}/")),
            _ => return Err(IngestError::NestedFolder { entry: entry.name }),
        };
        let name = normalise_identifier(&raw_name, TABLE_DIGIT_PREFIX).ok_or_else(|| {
            IngestError::InvalidTableName {
                entry: entry.name.clone(),
                name: raw_name.clone(),
            }
        })?;
        let table = tables.entry(name.clone()).or_insert_with(|| TableSource {
            name: name.clone(),
            source: source.clone(),
            entries: Vec::new(),
        });
        if table.source != source {
            return Err(IngestError::DuplicateTableName {
                table: name,
                first: table.source.clone(),
                second: source,
            });
        }
        table.entries.push(entry);
    }
    let mut tables: Vec<TableSource> = tables.into_values().collect();
    for table in &mut tables {
        table.entries.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> ArchiveEntry {
        ArchiveEntry {
            index: 0,
            name: name.to_owned(),
            is_dir: name.ends_with('/'),
            is_symlink: false,
            is_encrypted: false,
            size: 100,
            compressed_size: 50,
        }
    }

    fn table_names(layout: &ArchiveLayout) -> Vec<(&str, usize)> {
        layout
            .tables
            .iter()
            .map(|table| (table.name.as_str(), table.entries.len()))
            .collect()
    }

    #[test]
    fn each_top_level_folder_is_one_table() {
        let entries = [
            "customers/",
            "customers/customers.csv",
            "sales/sales_2024.csv",
        ]
        .into_iter()
        .chain(["sales/sales_2023.csv", "readme.txt"])
        .map(file)
        .collect();

        let layout = plan_layout(entries, &IngestLimits::default()).unwrap();

        assert_eq!(table_names(&layout), [("customers", 1), ("sales", 2)]);
        assert_eq!(layout.tables[1].entries[0].name, "sales/sales_2023.csv");
        assert_eq!(layout.skipped_entries, ["readme.txt"]);
    }

    #[test]
    fn a_single_wrapping_folder_is_looked_through() {
        let entries = vec![
            file("shop/Order Lines/a.csv"),
            file("shop/customers/c.csv"),
            file("__MACOSX/shop/._c.csv"),
        ];

        let layout = plan_layout(entries, &IngestLimits::default()).unwrap();

        assert_eq!(table_names(&layout), [("customers", 1), ("order_lines", 1)]);
    }

    #[test]
    fn unsafe_names_are_refused() {
        for name in [
            "../x.csv",
            "a/../../x.csv",
            "/etc/x.csv",
            "C:\\x.csv",
            "a\\..\\..\\x.csv",
        ] {
            let err = plan_layout(vec![file(name)], &IngestLimits::default()).unwrap_err();

            assert!(
                matches!(err, IngestError::UnsafePath { .. }),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn folders_that_become_the_same_table_are_refused() {
        let entries = vec![file("Sales/a.csv"), file("sales/b.csv")];

        let err = plan_layout(entries, &IngestLimits::default()).unwrap_err();

        assert!(
            matches!(err, IngestError::DuplicateTableName { .. }),
            "{err}"
        );
    }

    #[test]
    fn files_below_a_table_folder_are_refused() {
        let entries = vec![file("a/b/c.csv"), file("x/y.csv")];

        let err = plan_layout(entries, &IngestLimits::default()).unwrap_err();

        assert!(matches!(err, IngestError::NestedFolder { .. }), "{err}");
    }
}
