//! Checks for [`UploadStore`]: views round-trip whole, terminal uploads are frozen, and the
//! recent and unfinished listings see them.
//!
//! Invariant: every check uses upload ids of its own and asserts only about them.

use chrono::{Duration, TimeZone, Utc};
use contracts::error::ErrorKind;
use contracts::uploads::{
    UploadColumnView, UploadFailure, UploadFileStatus, UploadFileView, UploadStatus,
    UploadTableView, UploadView,
};
use uuid::Uuid;

use crate::upload_store::UploadStore;

fn queued_upload(datasource: &str) -> UploadView {
    let received_at = Utc
        .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .single()
        .expect("a valid fixed time");
    UploadView::queued(
        Uuid::new_v4(),
        datasource,
        "shop.zip",
        2_048,
        false,
        received_at,
    )
}

/// A queued view is stored and read back equal; a progressed and then succeeded view replaces
/// it; once succeeded, a later save is refused and changes nothing; an unknown id is absent.
pub async fn uploads_are_saved_until_terminal(store: &dyn UploadStore) {
    let mut upload = queued_upload("contract_shop");
    assert!(
        store.save_upload(&upload).await.expect("save queued"),
        "a new upload is saved"
    );
    assert_eq!(
        store.upload(upload.upload_id).await.expect("read queued"),
        Some(upload.clone()),
        "the queued view round-trips"
    );

    upload.status = UploadStatus::Validating;
    upload.updated_at += Duration::seconds(1);
    upload.files = vec![UploadFileView {
        entry: "sales/sales_2024.csv".into(),
        table: "sales".into(),
        n_bytes: 1_000,
        status: UploadFileStatus::Failed,
        n_rows: None,
        error: Some("`sales/sales_2024.csv` line 3: 2 cells but the header has 3".into()),
    }];
    assert!(store.save_upload(&upload).await.expect("save progress"));

    upload.status = UploadStatus::Succeeded;
    upload.updated_at += Duration::seconds(1);
    upload.tables = vec![UploadTableView {
        name: "sales".into(),
        n_rows: 12,
        columns: vec![UploadColumnView {
            name: "unit_price".into(),
            original_name: "Unit Price".into(),
            data_type: "DOUBLE".into(),
        }],
        replaced: false,
    }];
    assert!(store.save_upload(&upload).await.expect("save succeeded"));

    let mut late = upload.clone();
    late.status = UploadStatus::Failed;
    late.failure = Some(UploadFailure {
        kind: ErrorKind::Transient,
        message: "late".into(),
        entry: None,
    });
    assert!(
        !store.save_upload(&late).await.expect("save after terminal"),
        "a terminal upload is not overwritten"
    );
    assert_eq!(
        store.upload(upload.upload_id).await.expect("read final"),
        Some(upload),
        "the succeeded view is kept whole"
    );
    assert_eq!(
        store.upload(Uuid::new_v4()).await.expect("read unknown"),
        None,
        "an unknown upload is absent"
    );
}

/// Recent uploads come newest first within the limit; unfinished ones are listed oldest first
/// and leave the list once they end.
pub async fn recent_and_unfinished_uploads_are_listed(store: &dyn UploadStore) {
    let mut older = queued_upload("contract_recent");
    older.created_at = Utc::now() + Duration::days(3650);
    older.updated_at = older.created_at;
    let mut newer = queued_upload("contract_recent");
    newer.created_at = older.created_at + Duration::seconds(5);
    newer.updated_at = newer.created_at;
    store.save_upload(&older).await.expect("save older");
    store.save_upload(&newer).await.expect("save newer");

    let recent = store.recent_uploads(2).await.expect("recent uploads");
    let recent_ids: Vec<Uuid> = recent.iter().map(|upload| upload.upload_id).collect();
    assert_eq!(
        recent_ids,
        vec![newer.upload_id, older.upload_id],
        "the two newest uploads, newest first"
    );

    let unfinished = store.unfinished_uploads().await.expect("unfinished");
    let position = |id: Uuid| unfinished.iter().position(|candidate| *candidate == id);
    let (older_at, newer_at) = (position(older.upload_id), position(newer.upload_id));
    assert!(
        older_at.is_some() && newer_at.is_some() && older_at < newer_at,
        "both queued uploads are unfinished, oldest first: {unfinished:?}"
    );

    older.status = UploadStatus::Failed;
    older.failure = Some(UploadFailure {
        kind: ErrorKind::InvalidInput,
        message: "the ZIP archive is empty".into(),
        entry: None,
    });
    store.save_upload(&older).await.expect("fail older");
    let unfinished = store.unfinished_uploads().await.expect("unfinished after");
    assert!(
        !unfinished.contains(&older.upload_id) && unfinished.contains(&newer.upload_id),
        "a failed upload is no longer unfinished"
    );
    newer.status = UploadStatus::Succeeded;
    store.save_upload(&newer).await.expect("finish newer");
}
