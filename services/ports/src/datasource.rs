//! The registry of datasources a question may be asked of.
//!
//! Invariant: lookups are by exact name; the registry never creates engines itself. Every
//! clone of a registry shares one set of datasources, so a datasource registered at run time
//! (an upload) is seen at once by the API and every worker holding a clone. A registry with a
//! [`DatasourceFinder`] also learns of datasources created by other processes (uploads ingested
//! on AWS) when a name it lacks is asked for, and when [`Datasources::discover`] is called.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;

use crate::sql_engine::{EngineError, SqlEngine};
use crate::step_error::StepError;

/// Finds datasources that exist outside the process, such as the Glue databases of uploads
/// ingested on AWS. A finder also stores a found datasource's current schema snapshot before
/// returning it, so a question can be asked of it at once.
#[async_trait]
pub trait DatasourceFinder: Send + Sync {
    /// The datasource `name`, or `None` when there is none by that name.
    async fn find(&self, name: &str) -> Result<Option<Datasource>, EngineError>;

    /// Names of every datasource the finder can find now, in name order.
    async fn list_names(&self) -> Result<Vec<String>, EngineError>;
}

/// A named source of data with the engine that queries it.
#[derive(Clone)]
pub struct Datasource {
    /// Name used in requests.
    pub name: String,
    /// Human description.
    pub description: Option<String>,
    /// Engine name shown to users (`embedded`, `postgres`, ...).
    pub engine_name: String,
    /// The engine.
    pub engine: Arc<dyn SqlEngine>,
    /// Tables the SQL guard admits for this datasource, written `table`, `schema.table` or
    /// `catalog.schema.table`; `None` admits every table (system catalogs stay denied).
    pub allowed_relations: Option<Vec<String>>,
}

impl Datasource {
    /// Whether a table the engine reported (`table` or `schema.table`) is on the allow-list.
    pub fn admits_table(&self, table_name: &str) -> bool {
        table_is_allowed(self.allowed_relations.as_deref(), table_name)
    }
}

/// Whether `table_name` (`table` or `schema.table`) is on the allow-list; `None` allows every
/// table, and an entry may be more qualified than the name (`public.orders` keeps `orders`).
/// Names compare case-insensitively and without double quotes.
pub fn table_is_allowed(allowed_relations: Option<&[String]>, table_name: &str) -> bool {
    let Some(allowed_relations) = allowed_relations else {
        return true;
    };
    let table_name = normalize_table_name(table_name);
    allowed_relations.iter().any(|entry| {
        let entry = normalize_table_name(entry);
        entry == table_name || entry.ends_with(&format!(".{table_name}"))
    })
}

fn normalize_table_name(name: &str) -> String {
    name.split('.')
        .map(|part| part.trim().trim_matches('"').to_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

/// All configured datasources, by name, shared by every clone.
#[derive(Clone, Default)]
pub struct Datasources {
    by_name: Arc<RwLock<BTreeMap<String, Datasource>>>,
    finder: Option<Arc<dyn DatasourceFinder>>,
}

impl Datasources {
    /// An empty registry that asks `finder` for names it lacks.
    pub fn with_finder(finder: Arc<dyn DatasourceFinder>) -> Self {
        Datasources {
            by_name: Arc::default(),
            finder: Some(finder),
        }
    }

    /// The datasource with this name: a registered one, else the one the finder finds (which
    /// is registered from then on).
    pub async fn resolve(&self, name: &str) -> Result<Option<Datasource>, EngineError> {
        if let Some(datasource) = self.get(name) {
            return Ok(Some(datasource));
        }
        let Some(finder) = &self.finder else {
            return Ok(None);
        };
        let found = finder.find(name).await?;
        if let Some(datasource) = &found {
            self.insert(datasource.clone());
        }
        Ok(found)
    }

    /// [`Datasources::resolve`] for a pipeline step: a missing datasource is invalid input, a
    /// failed lookup keeps the finder's retry class. The lookup's own error (which may name
    /// cloud resources) is logged, not put in the message the job records.
    pub async fn require(&self, name: &str) -> Result<Datasource, StepError> {
        match self.resolve(name).await {
            Ok(Some(datasource)) => Ok(datasource),
            Ok(None) => Err(StepError::invalid_input(format!(
                "datasource '{name}' does not exist"
            ))),
            Err(err) => {
                tracing::warn!(datasource = name, error.message = %err, "datasource lookup failed");
                Err(StepError {
                    kind: err.kind(),
                    message: format!("datasource '{name}' could not be looked up"),
                })
            }
        }
    }

    /// Registers every datasource the finder lists that is not registered yet, and returns
    /// their names; without a finder, nothing. A name that cannot be looked up does not keep
    /// the others from being registered: each failure is logged, and the first one is returned
    /// after every name was tried.
    pub async fn discover(&self) -> Result<Vec<String>, EngineError> {
        let Some(finder) = &self.finder else {
            return Ok(Vec::new());
        };
        let mut registered = Vec::new();
        let mut first_failure = None;
        for name in finder.list_names().await? {
            if self.contains(&name) {
                continue;
            }
            match finder.find(&name).await {
                Ok(Some(datasource)) => {
                    self.insert(datasource);
                    registered.push(name);
                }
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(datasource = %name, error.message = %err, "datasource lookup failed");
                    first_failure.get_or_insert(err);
                }
            }
        }
        match first_failure {
            Some(err) => Err(err),
            None => Ok(registered),
        }
    }

    /// Adds or replaces a datasource; every clone sees it from now on. Queries already
    /// running on a replaced datasource finish on its old engine.
    pub fn insert(&self, datasource: Datasource) {
        self.by_name
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(datasource.name.clone(), datasource);
    }

    /// The datasource with this name.
    pub fn get(&self, name: &str) -> Option<Datasource> {
        self.by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// `true` when a datasource of this name is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(name)
    }

    /// Every datasource, in name order, as registered now.
    pub fn all(&self) -> Vec<Datasource> {
        self.by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use contracts::error::ErrorKind;
    use contracts::result::ResultSet;

    use super::*;
    use crate::schema::TableSchema;
    use crate::sql_engine::{Dialect, QueryLimits};

    struct NoEngine;

    #[async_trait]
    impl SqlEngine for NoEngine {
        fn dialect(&self) -> Dialect {
            Dialect::Athena
        }

        async fn execute(
            &self,
            _sql: &str,
            _limits: &QueryLimits,
        ) -> Result<ResultSet, EngineError> {
            Err(EngineError::Unavailable("not used".into()))
        }

        async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
            Ok(Vec::new())
        }
    }

    fn datasource(name: &str) -> Datasource {
        Datasource {
            name: name.to_owned(),
            description: None,
            engine_name: "athena".to_owned(),
            engine: Arc::new(NoEngine),
            allowed_relations: None,
        }
    }

    /// Finds the names it was given and records what it was asked.
    struct ListedFinder {
        names: Vec<&'static str>,
        failing: Vec<&'static str>,
        asked: Mutex<Vec<String>>,
    }

    impl ListedFinder {
        fn new(names: &[&'static str]) -> Arc<Self> {
            ListedFinder::failing(names, &[])
        }

        /// A finder whose lookups of `failing` fail as if Glue were unreachable.
        fn failing(names: &[&'static str], failing: &[&'static str]) -> Arc<Self> {
            Arc::new(ListedFinder {
                names: names.to_vec(),
                failing: failing.to_vec(),
                asked: Mutex::default(),
            })
        }
    }

    #[async_trait]
    impl DatasourceFinder for ListedFinder {
        async fn find(&self, name: &str) -> Result<Option<Datasource>, EngineError> {
            self.asked.lock().unwrap().push(name.to_owned());
            if self.failing.contains(&name) {
                return Err(EngineError::Unavailable("glue timed out".into()));
            }
            Ok(self.names.contains(&name).then(|| datasource(name)))
        }

        async fn list_names(&self) -> Result<Vec<String>, EngineError> {
            Ok(self.names.iter().map(|name| (*name).to_owned()).collect())
        }
    }

    #[tokio::test]
    async fn a_found_datasource_is_registered_and_not_looked_up_again() {
        let finder = ListedFinder::new(&["shop"]);
        let datasources = Datasources::with_finder(finder.clone());

        let first = datasources.resolve("shop").await.unwrap();
        let second = datasources.resolve("shop").await.unwrap();

        assert_eq!(first.unwrap().name, "shop");
        assert_eq!(second.unwrap().name, "shop");
        assert!(datasources.contains("shop"));
        assert_eq!(*finder.asked.lock().unwrap(), ["shop"]);
    }

    #[tokio::test]
    async fn an_unknown_name_is_invalid_input_and_a_failed_lookup_is_transient() {
        let datasources = Datasources::with_finder(ListedFinder::new(&["shop"]));
        let unreachable = Datasources::with_finder(ListedFinder::failing(&["shop"], &["shop"]));

        let Err(missing) = datasources.require("other").await else {
            panic!("an unknown name is found");
        };
        let Err(failed) = unreachable.require("shop").await else {
            panic!("an unreachable finder finds");
        };

        assert_eq!(missing.kind, ErrorKind::InvalidInput);
        assert_eq!(missing.message, "datasource 'other' does not exist");
        assert_eq!(failed.kind, ErrorKind::Transient);
        assert_eq!(failed.message, "datasource 'shop' could not be looked up");
        assert!(!datasources.contains("other"));
    }

    #[tokio::test]
    async fn discover_registers_only_the_new_names() {
        let finder = ListedFinder::new(&["shop", "stock"]);
        let datasources = Datasources::with_finder(finder.clone());
        datasources.insert(datasource("shop"));

        let registered = datasources.discover().await.unwrap();

        assert_eq!(registered, ["stock"]);
        assert_eq!(*finder.asked.lock().unwrap(), ["stock"]);
        let names: Vec<String> = datasources.all().into_iter().map(|d| d.name).collect();
        assert_eq!(names, ["shop", "stock"]);
    }

    #[tokio::test]
    async fn a_failing_name_does_not_keep_the_others_from_being_registered() {
        let finder = ListedFinder::failing(&["broken", "shop", "stock"], &["broken"]);
        let datasources = Datasources::with_finder(finder.clone());

        let discovered = datasources.discover().await;

        assert!(
            matches!(discovered, Err(EngineError::Unavailable(_))),
            "the failure is returned"
        );
        assert_eq!(*finder.asked.lock().unwrap(), ["broken", "shop", "stock"]);
        let names: Vec<String> = datasources.all().into_iter().map(|d| d.name).collect();
        assert_eq!(names, ["shop", "stock"]);
    }

    #[tokio::test]
    async fn a_registry_without_a_finder_finds_nothing_more() {
        let datasources = Datasources::default();

        assert!(datasources.resolve("shop").await.unwrap().is_none());
        assert!(datasources.discover().await.unwrap().is_empty());
    }
}
