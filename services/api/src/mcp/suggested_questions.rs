//! Questions a datasource can answer, built from its schema alone: counts per table, counts by a
//! sampled column, averages of numeric columns, one filter on a sampled value, and its metrics.
//!
//! Invariant: pure; never calls a model, never guesses at columns the schema does not list.

use contracts::api::{ColumnSchemaView, DatasourceSchemaView};

/// Questions `suggest_questions` answers at most.
const MAX_SUGGESTED_QUESTIONS: usize = 8;

/// Up to [`MAX_SUGGESTED_QUESTIONS`] questions about `schema`, in a stable order.
pub(crate) fn suggest_questions_from_schema(schema: &DatasourceSchemaView) -> Vec<String> {
    let mut questions = Vec::new();
    for metric in &schema.metrics {
        questions.push(format!("What is the {}?", spoken(&metric.name)));
    }
    for table in &schema.tables {
        let table_name = spoken(&table.name);
        questions.push(format!("How many {table_name} rows are there?"));
        if let Some(sampled_column) = table.columns.iter().find(|column| has_samples(column)) {
            let column_name = spoken(&sampled_column.name);
            questions.push(format!(
                "How many {table_name} rows are there for each {column_name}?"
            ));
            questions.push(format!(
                "How many {table_name} rows have {column_name} '{}'?",
                sampled_column.sample_values[0]
            ));
        }
        if let Some(numeric_column) = table.columns.iter().find(|column| is_measure(column)) {
            questions.push(format!(
                "What is the average {} of {table_name}?",
                spoken(&numeric_column.name)
            ));
        }
    }
    questions.truncate(MAX_SUGGESTED_QUESTIONS);
    questions
}

fn has_samples(column: &ColumnSchemaView) -> bool {
    !column.sample_values.is_empty()
}

/// A numeric column that is not an identifier.
fn is_measure(column: &ColumnSchemaView) -> bool {
    let data_type = column.data_type.to_ascii_uppercase();
    let numeric = ["INT", "DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC"]
        .iter()
        .any(|numeric_type| data_type.contains(numeric_type));
    let name = column.name.to_ascii_lowercase();
    numeric && name != "id" && !name.ends_with("_id")
}

/// `snake_case` as words.
fn spoken(name: &str) -> String {
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use contracts::api::{ColumnSchemaView, DatasourceSchemaView, TableSchemaView};

    use super::suggest_questions_from_schema;

    fn column(name: &str, data_type: &str, sample_values: &[&str]) -> ColumnSchemaView {
        ColumnSchemaView {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            description: None,
            sample_values: sample_values
                .iter()
                .map(|value| (*value).to_owned())
                .collect(),
        }
    }

    #[test]
    fn questions_name_only_tables_columns_and_values_of_the_schema() {
        let schema = DatasourceSchemaView {
            name: "restaurants".to_owned(),
            engine: "embedded".to_owned(),
            description: None,
            version: None,
            tables: vec![TableSchemaView {
                name: "restaurant".to_owned(),
                description: None,
                n_rows: None,
                columns: vec![
                    column("id", "BIGINT", &[]),
                    column("city_name", "VARCHAR", &["san francisco"]),
                    column("rating", "DOUBLE", &[]),
                ],
            }],
            metrics: Vec::new(),
        };

        let questions = suggest_questions_from_schema(&schema);

        assert_eq!(
            questions,
            [
                "How many restaurant rows are there?",
                "How many restaurant rows are there for each city name?",
                "How many restaurant rows have city name 'san francisco'?",
                "What is the average rating of restaurant?",
            ]
        );
    }

    #[test]
    fn an_empty_schema_suggests_nothing() {
        let schema = DatasourceSchemaView {
            name: "empty".to_owned(),
            engine: "embedded".to_owned(),
            description: None,
            version: None,
            tables: Vec::new(),
            metrics: Vec::new(),
        };

        assert!(suggest_questions_from_schema(&schema).is_empty());
    }
}
