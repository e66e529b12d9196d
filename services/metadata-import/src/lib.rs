//! Reading the descriptions and metric definitions of a datasource from a metadata file: CSV,
//! XLSX (first worksheet) or YAML, chosen by the file's extension (`docs/metadata.md`).
//! Every format becomes the same [`ports::schema_metadata::DatasourceMetadata`], with tables,
//! columns and metrics in name order.
//!
//! Invariant: reads only the given file; a bad row fails the whole import with its line (CSV),
//! sheet row (XLSX) or entry path (YAML), so nothing is imported half.

mod csv_format;
mod metadata_file_error;
mod metadata_rows;
mod xlsx_format;
mod yaml_format;

use std::path::Path;

use ports::schema_metadata::DatasourceMetadata;

pub use metadata_file_error::{MetadataFileError, RowLocation, RowProblem};

/// Largest metadata file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The format of a metadata file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataFormat {
    /// Comma-separated rows with a header (`.csv`).
    Csv,
    /// An Excel workbook whose first worksheet holds the CSV layout (`.xlsx`).
    Xlsx,
    /// A YAML document with `tables` and `metrics` (`.yaml`, `.yml`).
    Yaml,
}

impl MetadataFormat {
    /// The format of a file, from its extension (case-insensitive).
    pub fn of_path(path: &Path) -> Result<Self, MetadataFileError> {
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Ok(MetadataFormat::Csv),
            Some("xlsx") => Ok(MetadataFormat::Xlsx),
            Some("yaml" | "yml") => Ok(MetadataFormat::Yaml),
            _ => Err(MetadataFileError::UnknownFormat {
                path: path.display().to_string(),
            }),
        }
    }
}

/// Reads and checks a metadata file.
pub fn read_metadata_file(path: &Path) -> Result<DatasourceMetadata, MetadataFileError> {
    let format = MetadataFormat::of_path(path)?;
    let read_error = |source: std::io::Error| MetadataFileError::Read {
        path: path.display().to_string(),
        message: source.to_string(),
    };
    let n_bytes = std::fs::metadata(path).map_err(read_error)?.len();
    if n_bytes > MAX_FILE_BYTES {
        return Err(MetadataFileError::TooLarge {
            n_bytes,
            max_bytes: MAX_FILE_BYTES,
        });
    }
    let rows = match format {
        MetadataFormat::Csv => {
            let bytes = std::fs::read(path).map_err(read_error)?;
            csv_format::read_rows(&bytes)?
        }
        MetadataFormat::Xlsx => xlsx_format::read_rows(path)?,
        MetadataFormat::Yaml => {
            let text = std::fs::read_to_string(path).map_err(read_error)?;
            yaml_format::read_rows(&text)?
        }
    };
    metadata_rows::assemble(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_extension() {
        assert_eq!(
            MetadataFormat::of_path(Path::new("a/b.CSV")).unwrap(),
            MetadataFormat::Csv
        );
        assert_eq!(
            MetadataFormat::of_path(Path::new("meta.yml")).unwrap(),
            MetadataFormat::Yaml
        );
        assert_eq!(
            MetadataFormat::of_path(Path::new("meta.xlsx")).unwrap(),
            MetadataFormat::Xlsx
        );
        assert!(matches!(
            MetadataFormat::of_path(Path::new("meta.json")),
            Err(MetadataFileError::UnknownFormat { .. })
        ));
    }
}
