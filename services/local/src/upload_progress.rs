//! How each step of an ingestion changes an upload's view: the pure part of the local upload
//! intake, kept apart so every transition is tested without a database.
//!
//! Invariant: a view only moves forward (queued, validating, loading, then succeeded or
//! failed), and a failed view names the file at fault when there is one.

use chrono::{DateTime, Utc};
use contracts::uploads::{
    UploadColumnView, UploadFailure, UploadFileStatus, UploadFileView, UploadStatus,
    UploadTableView, UploadView,
};
use ingest::IngestProgress;

use crate::datasource_ingestion::{IngestionFailure, IngestionOutcome, IngestionStep};

/// Applies one progress step to the view.
pub fn apply_step(view: &mut UploadView, step: IngestionStep, now: DateTime<Utc>) {
    view.updated_at = now;
    match step {
        IngestionStep::Checking(IngestProgress::LayoutPlanned { files, .. }) => {
            view.status = UploadStatus::Validating;
            view.files = files
                .into_iter()
                .map(|file| UploadFileView {
                    entry: file.entry,
                    table: file.table,
                    n_bytes: file.n_bytes,
                    status: UploadFileStatus::Pending,
                    n_rows: None,
                    error: None,
                })
                .collect();
        }
        IngestionStep::Checking(IngestProgress::EntryStarted { entry, .. }) => {
            if let Some(file) = file_mut(view, &entry) {
                file.status = UploadFileStatus::Checking;
            }
        }
        IngestionStep::Checking(IngestProgress::EntryFinished { entry, n_rows }) => {
            if let Some(file) = file_mut(view, &entry) {
                file.status = UploadFileStatus::Passed;
                file.n_rows = Some(n_rows);
            }
        }
        IngestionStep::Loading { .. } => view.status = UploadStatus::Loading,
    }
}

/// Marks the view succeeded with the loaded tables and their original column names.
pub fn apply_success(view: &mut UploadView, outcome: IngestionOutcome, now: DateTime<Utc>) {
    view.updated_at = now;
    view.status = UploadStatus::Succeeded;
    view.skipped_entries = outcome.skipped_entries;
    view.tables = outcome
        .tables
        .into_iter()
        .map(|table| UploadTableView {
            columns: table
                .columns
                .into_iter()
                .zip(table.original_names)
                .map(|((name, data_type), original_name)| UploadColumnView {
                    name,
                    original_name,
                    data_type,
                })
                .collect(),
            name: table.name,
            n_rows: table.n_rows,
            replaced: table.replaced,
        })
        .collect();
}

/// Marks the view failed; the file at fault (added when the layout never listed it) carries
/// the message, and files that were not reached stay pending.
pub fn apply_failure(view: &mut UploadView, failure: &IngestionFailure, now: DateTime<Utc>) {
    let message = failure.to_string();
    if let Some(entry) = failure.entry() {
        match file_mut(view, entry) {
            Some(file) => {
                file.status = UploadFileStatus::Failed;
                file.error = Some(message.clone());
            }
            None => view.files.push(UploadFileView {
                entry: entry.to_owned(),
                table: String::new(),
                n_bytes: 0,
                status: UploadFileStatus::Failed,
                n_rows: None,
                error: Some(message.clone()),
            }),
        }
    }
    fail(view, failure.kind(), message, failure.entry(), now);
}

/// Marks the view failed for a reason outside the archive (a stopped server, a store error).
pub fn fail(
    view: &mut UploadView,
    kind: contracts::error::ErrorKind,
    message: String,
    entry: Option<&str>,
    now: DateTime<Utc>,
) {
    view.updated_at = now;
    view.status = UploadStatus::Failed;
    view.failure = Some(UploadFailure {
        kind,
        message,
        entry: entry.map(str::to_owned),
    });
}

fn file_mut<'a>(view: &'a mut UploadView, entry: &str) -> Option<&'a mut UploadFileView> {
    view.files.iter_mut().find(|file| file.entry == entry)
}

#[cfg(test)]
mod tests {
    use contracts::error::ErrorKind;
    use engine_duckdb::LoadedTable;
    use ingest::{IngestError, PlannedFile};
    use uuid::Uuid;

    use super::*;

    fn queued() -> UploadView {
        UploadView::queued(Uuid::new_v4(), "shop", "shop.zip", 10, false, Utc::now())
    }

    fn planned(view: &mut UploadView) {
        let files = ["sales/a.csv", "sales/b.csv"]
            .into_iter()
            .map(|entry| PlannedFile {
                entry: entry.into(),
                table: "sales".into(),
                n_bytes: 100,
            })
            .collect();
        apply_step(
            view,
            IngestionStep::Checking(IngestProgress::LayoutPlanned {
                n_tables: 1,
                n_files: 2,
                files,
            }),
            Utc::now(),
        );
    }

    fn statuses(view: &UploadView) -> Vec<UploadFileStatus> {
        view.files.iter().map(|file| file.status).collect()
    }

    #[test]
    fn files_move_from_pending_through_checking_to_passed_and_the_upload_to_loading() {
        let mut view = queued();

        planned(&mut view);
        assert_eq!(view.status, UploadStatus::Validating);
        assert_eq!(
            statuses(&view),
            [UploadFileStatus::Pending, UploadFileStatus::Pending]
        );
        apply_step(
            &mut view,
            IngestionStep::Checking(IngestProgress::EntryStarted {
                entry: "sales/a.csv".into(),
                table: "sales".into(),
                n_bytes: 100,
            }),
            Utc::now(),
        );
        assert_eq!(
            statuses(&view),
            [UploadFileStatus::Checking, UploadFileStatus::Pending]
        );
        apply_step(
            &mut view,
            IngestionStep::Checking(IngestProgress::EntryFinished {
                entry: "sales/a.csv".into(),
                n_rows: 7,
            }),
            Utc::now(),
        );
        apply_step(
            &mut view,
            IngestionStep::Loading { n_tables: 1 },
            Utc::now(),
        );

        assert_eq!(view.status, UploadStatus::Loading);
        assert_eq!(view.files[0].status, UploadFileStatus::Passed);
        assert_eq!(view.files[0].n_rows, Some(7));
    }

    #[test]
    fn a_refused_file_carries_the_message_and_the_upload_names_it() {
        let mut view = queued();
        planned(&mut view);
        let failure = IngestionFailure::Refused(IngestError::EmptyFile {
            entry: "sales/b.csv".into(),
        });

        apply_failure(&mut view, &failure, Utc::now());

        assert_eq!(view.status, UploadStatus::Failed);
        assert_eq!(
            statuses(&view),
            [UploadFileStatus::Pending, UploadFileStatus::Failed]
        );
        assert_eq!(
            view.files[1].error.as_deref(),
            Some(failure.to_string().as_str())
        );
        let recorded = view.failure.expect("a failure is recorded");
        assert_eq!(recorded.kind, ErrorKind::InvalidInput);
        assert_eq!(recorded.entry.as_deref(), Some("sales/b.csv"));
    }

    #[test]
    fn an_entry_outside_the_layout_is_listed_when_it_is_at_fault() {
        let mut view = queued();
        let failure = IngestionFailure::Refused(IngestError::NestedArchive {
            entry: "inner.zip".into(),
        });

        apply_failure(&mut view, &failure, Utc::now());

        assert_eq!(view.files.len(), 1);
        assert_eq!(view.files[0].entry, "inner.zip");
        assert_eq!(view.files[0].status, UploadFileStatus::Failed);
    }

    #[test]
    fn success_lists_tables_with_their_original_column_names() {
        let mut view = queued();
        let outcome = IngestionOutcome {
            tables: vec![LoadedTable {
                name: "sales".into(),
                n_rows: 3,
                columns: vec![("unit_price".into(), "DOUBLE".into())],
                original_names: vec!["Unit Price".into()],
                replaced: true,
            }],
            skipped_entries: vec!["README.txt".into()],
        };

        apply_success(&mut view, outcome, Utc::now());

        assert_eq!(view.status, UploadStatus::Succeeded);
        assert_eq!(view.skipped_entries, ["README.txt"]);
        assert_eq!(
            view.tables,
            [UploadTableView {
                name: "sales".into(),
                n_rows: 3,
                columns: vec![UploadColumnView {
                    name: "unit_price".into(),
                    original_name: "Unit Price".into(),
                    data_type: "DOUBLE".into(),
                }],
                replaced: true,
            }]
        );
    }
}
