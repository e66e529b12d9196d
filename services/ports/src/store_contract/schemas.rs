//! Checks for [`SchemaStore`]: a snapshot is saved only when its version differs from the
//! datasource's current one; imported metadata is kept per datasource.
//!
//! Invariant: every check uses datasource names of its own.

use uuid::Uuid;

use crate::schema::{ColumnSchema, MetricDefinition, SchemaSnapshot, SchemaStore, TableSchema};
use crate::schema_metadata::{ColumnMetadata, DatasourceMetadata, TableMetadata};

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

/// Imported metadata round-trips intact, a second import replaces the first, and metadata
/// belongs to its datasource; a snapshot with metric definitions round-trips with them.
pub async fn metadata_is_saved_replaced_and_scoped_by_datasource(store: &dyn SchemaStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let other_datasource = format!("contract_{}", Uuid::new_v4().simple());
    let first = restaurants_metadata("One row per restaurant");
    let second = restaurants_metadata("Every restaurant we know of");
    let snapshot_with_metric = SchemaSnapshot::with_metrics(
        &datasource,
        vec![restaurants_table(true)],
        first.metrics.clone(),
    );

    let before_import = store
        .load_metadata(&datasource)
        .await
        .expect("load before any import");
    store
        .save_metadata(&datasource, &first)
        .await
        .expect("save first metadata");
    let after_first = store
        .load_metadata(&datasource)
        .await
        .expect("load after first import");
    store
        .save_metadata(&datasource, &second)
        .await
        .expect("save second metadata");
    let after_second = store
        .load_metadata(&datasource)
        .await
        .expect("load after second import");
    let other = store
        .load_metadata(&other_datasource)
        .await
        .expect("load other datasource");
    store
        .save_snapshot(&snapshot_with_metric)
        .await
        .expect("save snapshot with a metric");
    let latest = store
        .latest_snapshot(&datasource)
        .await
        .expect("latest snapshot with a metric");

    assert_eq!(before_import, None, "no metadata before an import");
    assert_eq!(after_first, Some(first), "metadata round-trips intact");
    assert_eq!(
        after_second,
        Some(second),
        "a new import replaces the old one"
    );
    assert_eq!(other, None, "metadata belongs to its datasource");
    assert_eq!(
        latest,
        Some(snapshot_with_metric),
        "metric definitions round-trip"
    );
}

fn restaurants_metadata(table_description: &str) -> DatasourceMetadata {
    DatasourceMetadata {
        tables: vec![TableMetadata {
            name: "restaurants".into(),
            description: Some(table_description.into()),
            columns: vec![ColumnMetadata {
                name: "rating".into(),
                description: "Average guest rating, 1 to 5".into(),
            }],
        }],
        metrics: vec![MetricDefinition {
            name: "average_rating".into(),
            description: "Mean rating over restaurants".into(),
            sql: Some("AVG(rating)".into()),
            table: Some("restaurants".into()),
        }],
    }
}
