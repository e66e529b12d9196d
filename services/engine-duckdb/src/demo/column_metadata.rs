//! The column metadata file of a demo database (`<name>.json`): column descriptions per
//! table and a glossary of domain terms and join hints.
//!
//! Invariant: metadata only adds descriptions; it never adds, removes or renames tables or
//! columns, which always come from the database itself.

use std::collections::BTreeMap;

use serde::Deserialize;

use ports::schema::TableSchema;

/// Parsed `<name>.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DemoMetadata {
    /// Columns of each table, by table name (`schema.table` outside the default schema).
    table_metadata: BTreeMap<String, Vec<ColumnMetadata>>,
    /// Free text on domain terms and joins; empty when there is none.
    #[serde(default)]
    glossary: Option<String>,
}

/// One column's entry.
#[derive(Debug, Clone, Deserialize)]
struct ColumnMetadata {
    column_name: String,
    #[serde(default)]
    column_description: Option<String>,
}

impl DemoMetadata {
    /// Parses the metadata file's text.
    pub(crate) fn parse(metadata_json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(metadata_json)
    }

    /// The glossary, when it holds any text.
    pub(crate) fn glossary(&self) -> Option<String> {
        self.glossary
            .as_deref()
            .map(str::trim)
            .filter(|glossary| !glossary.is_empty())
            .map(str::to_owned)
    }

    /// Sets the description of every column the metadata describes; names match ignoring
    /// ASCII case, as unquoted SQL identifiers do.
    pub(crate) fn describe(&self, tables: &mut [TableSchema]) {
        for table in tables {
            let Some((_, columns_metadata)) = self
                .table_metadata
                .iter()
                .find(|(table_name, _)| table_name.eq_ignore_ascii_case(&table.name))
            else {
                continue;
            };
            for column in &mut table.columns {
                let description = columns_metadata
                    .iter()
                    .find(|metadata| metadata.column_name.eq_ignore_ascii_case(&column.name))
                    .and_then(|metadata| metadata.column_description.as_deref())
                    .map(str::trim)
                    .filter(|description| !description.is_empty());
                if let Some(description) = description {
                    column.description = Some(description.to_owned());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ports::schema::ColumnSchema;

    use super::*;

    fn table(name: &str, column_names: &[&str]) -> TableSchema {
        let columns = column_names
            .iter()
            .map(|column_name| ColumnSchema {
                name: (*column_name).to_owned(),
                data_type: "VARCHAR".to_owned(),
                description: None,
                sample_values: Vec::new(),
            })
            .collect();
        TableSchema {
            name: name.to_owned(),
            description: None,
            columns,
            n_rows: None,
        }
    }

    #[test]
    fn descriptions_attach_to_columns_matching_in_any_case() {
        let metadata = DemoMetadata::parse(
            r#"{"table_metadata": {"sbCustomer": [
                {"column_name": "sbCustId", "data_type": "varchar", "column_description": "Customer id"},
                {"column_name": "sbCustName", "data_type": "varchar", "column_description": ""}
            ]}, "glossary": " "}"#,
        )
        .expect("the sample metadata is valid");
        let mut tables = vec![table("sbcustomer", &["SBCUSTID", "sbCustName", "unknown"])];

        metadata.describe(&mut tables);

        assert_eq!(
            tables[0].columns[0].description.as_deref(),
            Some("Customer id")
        );
        assert_eq!(tables[0].columns[1].description, None);
        assert_eq!(tables[0].columns[2].description, None);
        assert_eq!(metadata.glossary(), None);
    }
}
