//! Checks for [`SchemaStore`]: a snapshot is saved only when its version differs from the
//! datasource's current one.
//!
//! Invariant: every check uses datasource names of its own.

use uuid::Uuid;

use crate::schema::{ColumnSchema, SchemaSnapshot, SchemaStore, TableSchema};

/// The first snapshot is saved; the same version again is not; a changed schema is; going back
/// to the first version saves it again; other datasources are unaffected.
pub async fn snapshots_are_saved_only_when_the_version_changes(store: &dyn SchemaStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let other_datasource = format!("contract_{}", Uuid::new_v4().simple());
    let first = SchemaSnapshot::new(&datasource, vec![restaurants_table(false)]);
    let changed = SchemaSnapshot::new(&datasource, vec![restaurants_table(true)]);
    assert_ne!(
        first.version, changed.version,
        "the fixture changes the version"
    );

    let saved_first = store
        .save_snapshot(&first)
        .await
        .expect("save first snapshot");
    let saved_again = store
        .save_snapshot(&first)
        .await
        .expect("save same snapshot");
    let latest_first = store
        .latest_snapshot(&datasource)
        .await
        .expect("latest after first");
    let saved_changed = store
        .save_snapshot(&changed)
        .await
        .expect("save changed snapshot");
    let latest_changed = store
        .latest_snapshot(&datasource)
        .await
        .expect("latest after change");
    let saved_back = store
        .save_snapshot(&first)
        .await
        .expect("save first snapshot back");
    let latest_back = store
        .latest_snapshot(&datasource)
        .await
        .expect("latest after going back");
    let other = store
        .latest_snapshot(&other_datasource)
        .await
        .expect("latest of other datasource");

    assert!(saved_first, "a datasource's first snapshot is saved");
    assert!(!saved_again, "the current version is not saved twice");
    assert_eq!(
        latest_first,
        Some(first.clone()),
        "the snapshot round-trips intact"
    );
    assert!(saved_changed, "a new version is saved");
    assert_eq!(latest_changed, Some(changed));
    assert!(
        saved_back,
        "a version differing from the current one is saved"
    );
    assert_eq!(latest_back, Some(first));
    assert_eq!(other, None, "snapshots belong to their datasource");
}

fn restaurants_table(with_rating: bool) -> TableSchema {
    let mut columns = vec![
        ColumnSchema {
            name: "id".into(),
            data_type: "BIGINT".into(),
            description: None,
            sample_values: vec![],
        },
        ColumnSchema {
            name: "borough".into(),
            data_type: "VARCHAR".into(),
            description: Some("City borough".into()),
            sample_values: vec!["Bronx".into(), "Queens".into()],
        },
    ];
    if with_rating {
        columns.push(ColumnSchema {
            name: "rating".into(),
            data_type: "DOUBLE".into(),
            description: None,
            sample_values: vec![],
        });
    }
    TableSchema {
        name: "restaurants".into(),
        description: Some("One row per restaurant".into()),
        columns,
        n_rows: Some(1200),
    }
}
