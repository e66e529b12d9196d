//! Prepared uploads built from in-memory ZIP archives, for the load tests.
//!
//! Invariant: test-only; every upload passed `ingest::prepare_upload` with default options.

use std::io::{Cursor, Write};
use std::path::Path;

use ingest::{IngestOptions, PreparedUpload, prepare_upload};
use zip::write::SimpleFileOptions;

/// Zips `(entry name, content)` pairs and prepares the archive under `staging`.
pub(crate) fn prepare(files: &[(&str, &str)], staging: &Path) -> PreparedUpload {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        writer
            .start_file(*name, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    let archive = writer.finish().unwrap();
    prepare_upload(archive, staging, &IngestOptions::default(), &mut |_| {}).unwrap()
}
