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
