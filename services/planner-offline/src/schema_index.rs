//! A word-level view of a schema: the stems that name each table and column, which columns are
//! numeric, text or keys, and which column pairs join two tables.
//!
//! Invariant: built only from the `SchemaSnapshot`; it never guesses a table or column that the
//! snapshot does not contain.

use ports::schema::{ColumnSchema, SchemaSnapshot, TableSchema};

use crate::tokenizer::{identifier_words, singular, stem};

/// What kind of values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// Integers, decimals and floats.
    Numeric,
    /// Text.
    Text,
    /// Dates and timestamps.
    Temporal,
    /// Booleans and everything else.
    Other,
}

/// A column with the stems that name it.
#[derive(Debug)]
pub(crate) struct IndexedColumn<'a> {
    /// The column as the snapshot describes it.
    pub(crate) schema: &'a ColumnSchema,
    /// Stems of the name, without the schema prefix and the table's own abbreviation.
    pub(crate) name_stems: Vec<String>,
    /// Stems of the description's content words.
    pub(crate) description_stems: Vec<String>,
    /// Kind of values.
    pub(crate) kind: ValueKind,
    /// `true` for identifier columns (`id`, `restaurant_id`, `sbCustId`, `aid`).
    pub(crate) is_identifier: bool,
}

/// A table with the stems that name it.
#[derive(Debug)]
pub(crate) struct IndexedTable<'a> {
    /// The table as the snapshot describes it.
    pub(crate) schema: &'a TableSchema,
    /// Stems of the table name without the schema prefix (`sbCustomer` -> `customer`).
    pub(crate) name_stems: Vec<String>,
    /// Columns in table order.
    pub(crate) columns: Vec<IndexedColumn<'a>>,
    /// Column whose values identify a row, when one is recognisable.
    pub(crate) key: Option<usize>,
}

/// A column of one table that holds the key of another: `from.column = to.column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JoinEdge {
    /// Referencing table and column.
    pub(crate) from: (usize, usize),
    /// Referenced table and column.
    pub(crate) to: (usize, usize),
    /// `true` when `to` is a key of its table, so each `from` row meets at most one `to` row.
    pub(crate) to_is_key: bool,
}

/// The whole schema, indexed by words.
#[derive(Debug)]
pub(crate) struct SchemaIndex<'a> {
    /// Tables in snapshot order.
    pub(crate) tables: Vec<IndexedTable<'a>>,
    /// Join edges in both directions.
    pub(crate) joins: Vec<JoinEdge>,
}

impl<'a> SchemaIndex<'a> {
    /// Indexes a snapshot.
    pub(crate) fn build(snapshot: &'a SchemaSnapshot) -> Self {
        let prefix = shared_prefix(&snapshot.tables);
        let tables: Vec<IndexedTable<'a>> = snapshot
            .tables
            .iter()
            .map(|table| index_table(table, prefix.as_deref()))
            .collect();
        let joins = find_joins(&tables);
        SchemaIndex { tables, joins }
    }

    /// The column at a table and column position.
    pub(crate) fn column(&self, at: (usize, usize)) -> &IndexedColumn<'a> {
        &self.tables[at.0].columns[at.1]
    }
}

/// Words that name a table in column names: a prefix of a table word (`cust`), the initials of
/// the table words (`dp` for daily price), or common abbreviations.
pub(crate) fn abbreviates(word: &str, table_words: &[String]) -> bool {
    let known = [
        ("tx", "transaction"),
        ("txn", "transaction"),
        ("ccy", "currency"),
        ("amt", "amount"),
    ];
    if known
        .iter()
        .any(|(short, long)| *short == word && table_words.iter().any(|w| w.starts_with(long)))
    {
        return true;
    }
    let initials: String = table_words
        .iter()
        .filter_map(|w| w.chars().next())
        .collect();
    (table_words.len() > 1 && word == initials)
        || (word.len() >= 2 && table_words.iter().any(|w| w.starts_with(word)))
}

fn shared_prefix(tables: &[TableSchema]) -> Option<String> {
    let firsts: Vec<Vec<String>> = tables.iter().map(|t| identifier_words(&t.name)).collect();
    let candidate = firsts.first()?.first()?.clone();
    let shared = tables.len() > 1
        && firsts
            .iter()
            .all(|words| words.len() > 1 && words[0] == candidate)
        && candidate.len() <= 3;
    shared.then_some(candidate)
}

fn index_table<'a>(table: &'a TableSchema, prefix: Option<&str>) -> IndexedTable<'a> {
    let mut words = identifier_words(&table.name);
    if prefix.is_some_and(|p| words.first().is_some_and(|w| w == p)) {
        words.remove(0);
    }
    let columns: Vec<IndexedColumn<'a>> = table
        .columns
        .iter()
        .map(|column| index_column(column, prefix, &words))
        .collect();
    let name_stems: Vec<String> = words.iter().map(|w| stem(w)).collect();
    let key = columns
        .iter()
        .position(|c| c.name_stems == ["id"])
        .or_else(|| {
            columns
                .iter()
                .position(|c| c.is_identifier && refers_to(&c.name_stems, &words))
        })
        .or_else(|| {
            columns
                .iter()
                .position(|c| is_initial_id(&c.schema.name, &words))
        })
        .or_else(|| {
            columns
                .iter()
                .position(|c| is_complete_distinct(c.schema, table))
        });
    IndexedTable {
        schema: table,
        name_stems,
        columns,
        key,
    }
}

fn index_column<'a>(
    column: &'a ColumnSchema,
    prefix: Option<&str>,
    table_words: &[String],
) -> IndexedColumn<'a> {
    let mut words = identifier_words(&column.name);
    if prefix.is_some_and(|p| words.first().is_some_and(|w| w == p)) {
        words.remove(0);
    }
    let whole_table_word = table_words
        .iter()
        .any(|w| singular(w) == singular(&words[0]));
    if words.len() > 1 && abbreviates(&words[0], table_words) && !whole_table_word {
        words.remove(0);
    }
    let kind = value_kind(&column.data_type);
    let lower = column.name.to_lowercase();
    let is_identifier = kind != ValueKind::Temporal
        && (words.last().is_some_and(|w| w == "id") || (lower.len() == 3 && lower.ends_with("id")));
    let description_stems = column
        .description
        .as_deref()
        .map(|text| {
            crate::tokenizer::tokenize(text)
                .into_iter()
                .filter(|t| !crate::vocabulary::is_filler(&t.text) && t.text.len() > 2)
                .map(|t| t.stem)
                .collect()
        })
        .unwrap_or_default();
    IndexedColumn {
        schema: column,
        name_stems: words.iter().map(|w| stem(w)).collect(),
        description_stems,
        kind,
        is_identifier,
    }
}

fn value_kind(data_type: &str) -> ValueKind {
    let upper = data_type.to_uppercase();
    let numeric = [
        "INT", "NUMERIC", "DECIMAL", "REAL", "FLOAT", "DOUBLE", "SERIAL",
    ];
    if upper.contains("DATE") || upper.contains("TIME") {
        ValueKind::Temporal
    } else if numeric.iter().any(|n| upper.contains(n)) {
        ValueKind::Numeric
    } else if upper.contains("CHAR") || upper.contains("TEXT") || upper.contains("STRING") {
        ValueKind::Text
    } else {
        ValueKind::Other
    }
}

/// `true` when identifier stems such as `[cust, id]` or `[restaurant, id]` name `table_words`.
fn refers_to(column_stems: &[String], table_words: &[String]) -> bool {
    match column_stems {
        [head @ .., last] if last == "id" && !head.is_empty() => {
            let table_stems: Vec<String> = table_words.iter().map(|w| stem(w)).collect();
            head.iter()
                .map(String::as_str)
                .eq(table_stems.iter().map(String::as_str))
                || (head.len() == 1 && abbreviates(&head[0], table_words))
        }
        _ => false,
    }
}

/// `true` for three-letter keys such as `aid` in `author` or `pid` in `publication`.
fn is_initial_id(column_name: &str, table_words: &[String]) -> bool {
    let lower = column_name.to_lowercase();
    let initial = table_words.first().and_then(|w| w.chars().next());
    lower.len() == 3 && lower.ends_with("id") && lower.chars().next() == initial
}

fn is_complete_distinct(column: &ColumnSchema, table: &TableSchema) -> bool {
    let mut values: Vec<&String> = column.sample_values.iter().collect();
    values.sort();
    values.dedup();
    table
        .n_rows
        .is_some_and(|n| n > 1 && values.len() as u64 == n)
}

fn find_joins(tables: &[IndexedTable<'_>]) -> Vec<JoinEdge> {
    let mut joins = Vec::new();
    for (from_table, table) in tables.iter().enumerate() {
        for (from_column, column) in table.columns.iter().enumerate() {
            if table.key == Some(from_column) && column.name_stems == ["id"] {
                continue;
            }
            for (to_table, other) in tables.iter().enumerate() {
                if to_table == from_table {
                    continue;
                }
                let Some(to_column) = referenced_column(column, other) else {
                    continue;
                };
                let to_is_key = other.key == Some(to_column);
                joins.push(JoinEdge {
                    from: (from_table, from_column),
                    to: (to_table, to_column),
                    to_is_key,
                });
            }
        }
    }
    joins
}

/// The column of `other` that `column` holds, by `<table>_id` naming or by an equal name.
fn referenced_column(column: &IndexedColumn<'_>, other: &IndexedTable<'_>) -> Option<usize> {
    let other_words: Vec<String> = other.name_stems.clone();
    if column.is_identifier
        && let Some(key) = other.key
        && refers_to(&column.name_stems, &other_words)
    {
        return Some(key);
    }
    let generic = ["name", "id", "homepage", "year", "title", "type", "date"];
    let same_name = |candidate: &IndexedColumn<'_>| {
        candidate
            .schema
            .name
            .eq_ignore_ascii_case(&column.schema.name)
            || (column.is_identifier
                && candidate.is_identifier
                && candidate.name_stems == column.name_stems)
    };
    let is_generic =
        column.name_stems.len() == 1 && generic.contains(&column.name_stems[0].as_str());
    if is_generic || column.kind == ValueKind::Temporal {
        return None;
    }
    other.columns.iter().position(|candidate| {
        let names_a_thing = column.kind == ValueKind::Text
            && column.name_stems.len() > 1
            && column.name_stems.last().is_some_and(|s| s == "nam");
        same_name(candidate) && (column.is_identifier || names_a_thing)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::{broker_like, restaurants};

    #[test]
    fn table_prefix_and_own_abbreviation_are_dropped_from_column_words() {
        let snapshot = broker_like();

        let index = SchemaIndex::build(&snapshot);

        let customer = index
            .tables
            .iter()
            .find(|t| t.schema.name == "sbCustomer")
            .unwrap();
        assert_eq!(customer.name_stems, ["customer"]);
        assert_eq!(customer.columns[1].name_stems, ["nam"]);
        assert_eq!(customer.key, Some(0));
    }

    #[test]
    fn joins_follow_table_id_columns_and_shared_names() {
        let snapshot = restaurants();

        let index = SchemaIndex::build(&snapshot);

        let names: Vec<String> = index
            .joins
            .iter()
            .map(|j| {
                let (ft, fc) = j.from;
                let (tt, tc) = j.to;
                format!(
                    "{}.{}={}.{}",
                    index.tables[ft].schema.name,
                    index.tables[ft].schema.columns[fc].name,
                    index.tables[tt].schema.name,
                    index.tables[tt].schema.columns[tc].name
                )
            })
            .collect();
        assert!(
            names.contains(&"location.restaurant_id=restaurant.id".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"restaurant.city_name=geographic.city_name".to_owned()),
            "{names:?}"
        );
    }

    #[test]
    fn broker_transactions_join_customers_through_abbreviated_ids() {
        let snapshot = broker_like();

        let index = SchemaIndex::build(&snapshot);

        let transaction = index
            .tables
            .iter()
            .position(|t| t.schema.name == "sbTransaction")
            .unwrap();
        let customer = index
            .tables
            .iter()
            .position(|t| t.schema.name == "sbCustomer")
            .unwrap();
        assert!(
            index
                .joins
                .iter()
                .any(|j| j.from.0 == transaction && j.to == (customer, 0) && j.to_is_key)
        );
    }
}
