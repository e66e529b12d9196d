//! The registry of datasources a question may be asked of.
//!
//! Invariant: lookups are by exact name; the registry never creates engines itself.

use std::collections::BTreeMap;
use std::sync::Arc;

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

/// All configured datasources, by name.
#[derive(Clone, Default)]
pub struct Datasources {
    by_name: BTreeMap<String, Datasource>,
}

impl Datasources {
    /// Adds or replaces a datasource.
    pub fn insert(&mut self, datasource: Datasource) {
        self.by_name.insert(datasource.name.clone(), datasource);
    }

    /// The datasource with this name.
    pub fn get(&self, name: &str) -> Option<&Datasource> {
        self.by_name.get(name)
    }

    /// Every datasource in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Datasource> {
        self.by_name.values()
    }
}
