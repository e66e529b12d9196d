//! `refresh_schemas` and `import_metadata` over the real SQLite store and an engine whose
//! tables the test changes between refreshes.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use contracts::result::ResultSet;
use pipeline::{RefreshResult, import_metadata, refresh_schemas};
use ports::datasource::{Datasource, Datasources};
use ports::schema::{ColumnSchema, MetricDefinition, SchemaStore, TableSchema};
use ports::schema_metadata::{ColumnMetadata, DatasourceMetadata, MetadataWarning, TableMetadata};
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};
use store_sqlite::SqliteStore;

/// An engine whose tables are whatever the test last set; `None` makes extraction fail.
struct ChangingEngine {
    tables: Mutex<Option<Vec<TableSchema>>>,
}

#[async_trait]
impl SqlEngine for ChangingEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Embedded
    }

    async fn execute(&self, _sql: &str, _limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        Err(EngineError::Unavailable("not used here".into()))
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        self.tables
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| EngineError::Unavailable("connection refused".into()))
    }
}

fn table(name: &str, column_names: &[&str]) -> TableSchema {
    TableSchema {
        name: name.into(),
        description: None,
        columns: column_names
            .iter()
            .map(|column_name| ColumnSchema {
                name: (*column_name).into(),
                data_type: "BIGINT".into(),
                description: None,
                sample_values: vec![],
            })
            .collect(),
        n_rows: None,
    }
}

fn datasource(
    name: &str,
    tables: Option<Vec<TableSchema>>,
    allowed: Option<&[&str]>,
) -> (Datasource, Arc<ChangingEngine>) {
    let engine = Arc::new(ChangingEngine {
        tables: Mutex::new(tables),
    });
    let datasource = Datasource {
        name: name.into(),
        description: None,
        engine_name: "embedded".into(),
        engine: engine.clone(),
        allowed_relations: allowed.map(|names| names.iter().map(|n| (*n).to_owned()).collect()),
    };
    (datasource, engine)
}

fn version_of(result: &RefreshResult) -> String {
    match result {
        RefreshResult::Unchanged { version } | RefreshResult::NewVersion { version, .. } => {
            version.clone()
        }
    }
}

#[tokio::test]
async fn a_new_version_is_stored_only_when_the_schema_changed() {
    let store = SqliteStore::open_in_memory().unwrap();
    let (shop, engine) = datasource("shop", Some(vec![table("orders", &["id"])]), None);
    let datasources = Datasources::default();
    datasources.insert(shop);

    let first = refresh_schemas(&datasources, &store).await;
    let second = refresh_schemas(&datasources, &store).await;
    *engine.tables.lock().unwrap() = Some(vec![table("orders", &["id", "amount"])]);
    let third = refresh_schemas(&datasources, &store).await;

    let first_version = version_of(first[0].result.as_ref().unwrap());
    assert_eq!(
        first[0].result.as_ref().unwrap(),
        &RefreshResult::NewVersion {
            previous_version: None,
            version: first_version.clone()
        }
    );
    assert_eq!(
        second[0].result.as_ref().unwrap(),
        &RefreshResult::Unchanged {
            version: first_version.clone()
        }
    );
    let RefreshResult::NewVersion {
        previous_version,
        version: third_version,
    } = third[0].result.as_ref().unwrap()
    else {
        panic!(
            "the added column makes a new version: {}",
            third[0].summary()
        );
    };
    assert_eq!(previous_version.as_deref(), Some(first_version.as_str()));
    let latest = store.latest_snapshot("shop").await.unwrap().unwrap();
    assert_eq!(&latest.version, third_version);
    assert_eq!(latest.tables[0].columns.len(), 2);
    assert_eq!(
        third[0].summary(),
        format!("shop: new version {first_version} -> {third_version}")
    );
}

#[tokio::test]
async fn imported_metadata_is_applied_before_versions_are_compared() {
    let store = SqliteStore::open_in_memory().unwrap();
    let (shop, _engine) = datasource("shop", Some(vec![table("orders", &["id", "amount"])]), None);
    let datasources = Datasources::default();
    datasources.insert(shop);
    let metadata = DatasourceMetadata {
        tables: vec![
            TableMetadata {
                name: "orders".into(),
                description: Some("One row per order".into()),
                columns: vec![ColumnMetadata {
                    name: "amount".into(),
                    description: "Order total in euros".into(),
                }],
            },
            TableMetadata {
                name: "refunds".into(),
                description: Some("Money sent back".into()),
                columns: vec![],
            },
        ],
        metrics: vec![MetricDefinition {
            name: "revenue".into(),
            description: "Money received".into(),
            sql: Some("SUM(amount)".into()),
            table: Some("orders".into()),
        }],
    };

    let before_import = refresh_schemas(&datasources, &store).await;
    let import = import_metadata(&store, "shop", &metadata).await.unwrap();
    let after_import = refresh_schemas(&datasources, &store).await;

    let saved = import
        .saved_snapshot
        .expect("the current snapshot is re-saved");
    assert!(saved.is_new_version, "the descriptions make a new version");
    assert_ne!(
        version_of(before_import[0].result.as_ref().unwrap()),
        saved.snapshot.version
    );
    assert_eq!(
        after_import[0].result.as_ref().unwrap(),
        &RefreshResult::Unchanged {
            version: saved.snapshot.version.clone()
        },
        "a refresh applies the metadata before comparing, so nothing changed"
    );
    assert_eq!(
        after_import[0].metadata_warnings,
        vec![MetadataWarning::UnknownTable {
            table: "refunds".into()
        }]
    );
    let latest = store.latest_snapshot("shop").await.unwrap().unwrap();
    let orders = latest.table("orders").unwrap();
    assert_eq!(orders.description.as_deref(), Some("One row per order"));
    assert_eq!(orders.columns[0].description, None);
    assert_eq!(
        orders.columns[1].description.as_deref(),
        Some("Order total in euros")
    );
    assert_eq!(latest.metrics[0].name, "revenue");
}

#[tokio::test]
async fn a_failing_datasource_is_reported_and_the_others_are_refreshed() {
    let store = SqliteStore::open_in_memory().unwrap();
    let (broken, _broken_engine) = datasource("broken", None, None);
    let (shop, _shop_engine) = datasource("shop", Some(vec![table("orders", &["id"])]), None);
    let datasources = Datasources::default();
    datasources.insert(broken);
    datasources.insert(shop);

    let outcomes = refresh_schemas(&datasources, &store).await;

    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        outcomes[0].summary(),
        "broken: failed: schema extraction failed: engine unavailable: connection refused"
    );
    assert!(outcomes[1].result.is_ok(), "{}", outcomes[1].summary());
    assert_eq!(store.latest_snapshot("broken").await.unwrap(), None);
}

#[tokio::test]
async fn tables_outside_the_allow_list_stay_out_of_the_snapshot() {
    let store = SqliteStore::open_in_memory().unwrap();
    let (shop, _engine) = datasource(
        "shop",
        Some(vec![table("orders", &["id"]), table("salaries", &["id"])]),
        Some(&["public.orders"]),
    );
    let datasources = Datasources::default();
    datasources.insert(shop);

    refresh_schemas(&datasources, &store).await;

    let latest = store.latest_snapshot("shop").await.unwrap().unwrap();
    let table_names: Vec<&str> = latest.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(table_names, ["orders"]);
}
