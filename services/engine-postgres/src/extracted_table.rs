//! [`ExtractedTable`]: a table as read from a catalog, with what later steps (value sampling)
//! need to query it, and the naming rules shared by both dialects.
//!
//! Invariant: identifiers reach SQL only through [`quote_identifier`].

use ports::schema::TableSchema;

/// Schema whose tables are named without a qualifier.
const DEFAULT_SCHEMA: &str = "public";

/// One table or view read from the catalog.
#[derive(Debug, Clone)]
pub(crate) struct ExtractedTable {
    /// `"schema"."table"`, ready to be put in a query.
    pub(crate) qualified_sql_name: String,
    /// For each column of `table`, whether it holds text and may have its values sampled.
    pub(crate) text_columns: Vec<bool>,
    pub(crate) table: TableSchema,
}

/// The name queries use for a table: bare in `public`, `schema.table` elsewhere.
pub(crate) fn display_name(schema_name: &str, table_name: &str) -> String {
    if schema_name == DEFAULT_SCHEMA {
        table_name.to_owned()
    } else {
        format!("{schema_name}.{table_name}")
    }
}

/// `"schema"."table"` with both parts quoted.
pub(crate) fn qualified_sql_name(schema_name: &str, table_name: &str) -> String {
    format!(
        "{}.{}",
        quote_identifier(schema_name),
        quote_identifier(table_name)
    )
}

/// An identifier in double quotes, with embedded quotes doubled.
pub(crate) fn quote_identifier(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_in_public_are_named_without_their_schema() {
        assert_eq!(display_name("public", "restaurant"), "restaurant");
        assert_eq!(display_name("sales", "orders"), "sales.orders");
    }

    #[test]
    fn embedded_quotes_are_doubled() {
        assert_eq!(qualified_sql_name("a\"b", "t"), "\"a\"\"b\".\"t\"");
    }
}
