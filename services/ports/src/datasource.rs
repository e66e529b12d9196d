//! The registry of datasources a question may be asked of.
//!
//! Invariant: lookups are by exact name; the registry never creates engines itself. Every
//! clone of a registry shares one set of datasources, so a datasource registered at run time
//! (an upload) is seen at once by the API and every worker holding a clone.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::sql_engine::SqlEngine;

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

/// All configured datasources, by name, shared by every clone.
#[derive(Clone, Default)]
pub struct Datasources {
    by_name: Arc<RwLock<BTreeMap<String, Datasource>>>,
}

impl Datasources {
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
