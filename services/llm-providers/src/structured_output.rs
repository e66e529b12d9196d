//! Reading the model's JSON answers into typed values: one serde struct per prompt, then
//! validation of what serde cannot express (non-empty text, guidance required by some intents,
//! table names that exist).
//!
//! Invariant: an answer is accepted only as a single JSON object (optionally inside one
//! Markdown code fence); free text is never searched for a substring.

use contracts::stages::Intent;
use ports::language_model::{Classification, SqlDraft};
use ports::schema::TableSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why an answer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutputProblem {
    /// The answer does not have the requested shape; the text says how, for the re-ask.
    Malformed(String),
    /// The model declined, giving this reason for the user.
    Declined(String),
}

#[derive(Deserialize)]
struct ClassificationOutput {
    intent: IntentOutput,
    #[serde(default)]
    guidance: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum IntentOutput {
    Sql,
    Chart,
    Chat,
    OutOfScope,
}

#[derive(Deserialize)]
struct TableSelectionOutput {
    tables: Vec<String>,
}

#[derive(Deserialize)]
struct SqlOutput {
    #[serde(default)]
    sql: Option<String>,
    #[serde(default)]
    cannot_answer: Option<String>,
}

#[derive(Deserialize)]
struct RewriteOutput {
    standalone_question: String,
}

#[derive(Deserialize)]
struct ExplanationOutput {
    answer: String,
}

/// An intent, with the guidance that `chat` and `out_of_scope` require.
pub(crate) fn classification(text: &str) -> Result<Classification, OutputProblem> {
    let output: ClassificationOutput = json_object(text)?;
    let guidance = non_blank(output.guidance);
    let (intent, needs_guidance) = match output.intent {
        IntentOutput::Sql => (Intent::Sql, false),
        IntentOutput::Chart => (Intent::Chart, false),
        IntentOutput::Chat => (Intent::Chat, true),
        IntentOutput::OutOfScope => (Intent::OutOfScope, true),
    };
    if needs_guidance && guidance.is_none() {
        return Err(OutputProblem::Malformed(
            "field `guidance` must be a non-empty string when the intent is chat or out_of_scope"
                .to_owned(),
        ));
    }
    Ok(Classification {
        intent,
        guidance: guidance.filter(|_| needs_guidance),
    })
}

/// Indexes into `tables` of the chosen tables, in schema order, without repeats.
pub(crate) fn table_selection(
    text: &str,
    tables: &[TableSchema],
) -> Result<Vec<usize>, OutputProblem> {
    let output: TableSelectionOutput = json_object(text)?;
    let mut chosen = Vec::new();
    let mut unknown = Vec::new();
    for name in &output.tables {
        match tables
            .iter()
            .position(|table| table.name.eq_ignore_ascii_case(name.trim()))
        {
            Some(table_idx) => chosen.push(table_idx),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(OutputProblem::Malformed(format!(
            "field `tables` names tables that are not in the list: {}",
            unknown.join(", ")
        )));
    }
    chosen.sort_unstable();
    chosen.dedup();
    Ok(chosen)
}

/// A query, or the model's reason for declining; exactly one of the two must be given.
pub(crate) fn sql_draft(text: &str) -> Result<SqlDraft, OutputProblem> {
    let output: SqlOutput = json_object(text)?;
    match (non_blank(output.sql), non_blank(output.cannot_answer)) {
        (Some(sql), None) => Ok(SqlDraft { sql }),
        (None, Some(reason)) => Err(OutputProblem::Declined(reason)),
        (Some(_), Some(_)) => Err(OutputProblem::Malformed(
            "give either `sql` or `cannot_answer`, not both".to_owned(),
        )),
        (None, None) => Err(OutputProblem::Malformed(
            "field `sql` must be a non-empty string, or `cannot_answer` must give a reason"
                .to_owned(),
        )),
    }
}

/// The standalone question of a rewrite.
pub(crate) fn standalone_question(text: &str) -> Result<String, OutputProblem> {
    let output: RewriteOutput = json_object(text)?;
    non_blank(Some(output.standalone_question)).ok_or_else(|| {
        OutputProblem::Malformed(
            "field `standalone_question` must be a non-empty string".to_owned(),
        )
    })
}

/// The explanation text.
pub(crate) fn explanation(text: &str) -> Result<String, OutputProblem> {
    let output: ExplanationOutput = json_object(text)?;
    non_blank(Some(output.answer)).ok_or_else(|| {
        OutputProblem::Malformed("field `answer` must be a non-empty string".to_owned())
    })
}

/// Deserializes the answer, which must be one JSON object, possibly fenced.
fn json_object<T: DeserializeOwned>(text: &str) -> Result<T, OutputProblem> {
    let body = without_code_fence(text);
    if body.is_empty() {
        return Err(OutputProblem::Malformed("the answer is empty".to_owned()));
    }
    let value: serde_json::Value = serde_json::from_str(body).map_err(|error| {
        OutputProblem::Malformed(format!("the answer is not a single JSON object: {error}"))
    })?;
    if !value.is_object() {
        return Err(OutputProblem::Malformed(
            "the answer is JSON but not an object".to_owned(),
        ));
    }
    serde_json::from_value(value).map_err(|error| {
        OutputProblem::Malformed(format!("the JSON object has the wrong fields: {error}"))
    })
}

/// The content of a Markdown code fence (```` ```json ... ``` ````) when the whole answer is
/// one, else the trimmed answer.
fn without_code_fence(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(after_opening) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let Some((info_string, rest)) = after_opening.split_once('\n') else {
        return trimmed;
    };
    if !info_string
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric())
    {
        return trimmed;
    }
    match rest.trim_end().strip_suffix("```") {
        Some(content) => content.trim(),
        None => trimmed,
    }
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> TableSchema {
        TableSchema {
            name: name.into(),
            description: None,
            columns: vec![],
            n_rows: None,
        }
    }

    #[test]
    fn a_fenced_json_answer_is_read() {
        let draft =
            sql_draft("```json\n{\"sql\": \"SELECT 1\", \"cannot_answer\": null}\n```").unwrap();

        assert_eq!(draft.sql, "SELECT 1");
    }

    #[test]
    fn prose_around_the_json_is_malformed() {
        let problem = sql_draft("Here you go: {\"sql\": \"SELECT 1\"}").unwrap_err();

        assert!(
            matches!(&problem, OutputProblem::Malformed(text) if text.starts_with("the answer is not a single JSON object")),
            "{problem:?}"
        );
    }

    #[test]
    fn a_reason_without_sql_is_a_decline() {
        let problem =
            sql_draft(r#"{"sql": null, "cannot_answer": "No table holds salaries."}"#).unwrap_err();

        assert_eq!(
            problem,
            OutputProblem::Declined("No table holds salaries.".to_owned())
        );
    }

    #[test]
    fn blank_sql_without_a_reason_is_malformed() {
        let problem = sql_draft(r#"{"sql": "  "}"#).unwrap_err();

        assert!(matches!(problem, OutputProblem::Malformed(_)));
    }

    #[test]
    fn sql_together_with_a_reason_is_malformed() {
        let problem = sql_draft(r#"{"sql": "SELECT 1", "cannot_answer": "unsure"}"#).unwrap_err();

        assert!(matches!(problem, OutputProblem::Malformed(_)));
    }

    #[test]
    fn an_unknown_intent_is_malformed_and_names_the_allowed_values() {
        let problem = classification(r#"{"intent": "question", "guidance": null}"#).unwrap_err();

        let OutputProblem::Malformed(text) = problem else {
            panic!("an unknown intent is malformed");
        };
        assert!(text.contains("out_of_scope"), "{text}");
    }

    #[test]
    fn out_of_scope_without_guidance_is_malformed() {
        let problem = classification(r#"{"intent": "out_of_scope"}"#).unwrap_err();

        assert!(matches!(problem, OutputProblem::Malformed(_)));
    }

    #[test]
    fn guidance_given_for_a_sql_question_is_dropped() {
        let classification = classification(r#"{"intent": "sql", "guidance": "Sure!"}"#).unwrap();

        assert_eq!(
            classification,
            Classification {
                intent: Intent::Sql,
                guidance: None
            }
        );
    }

    #[test]
    fn chosen_tables_are_matched_without_case_in_schema_order() {
        let tables = [table("customers"), table("orders"), table("products")];

        let chosen =
            table_selection(r#"{"tables": ["Orders", "customers", "orders"]}"#, &tables).unwrap();

        assert_eq!(chosen, vec![0, 1]);
    }

    #[test]
    fn an_unknown_table_is_malformed_and_named() {
        let tables = [table("orders")];

        let problem = table_selection(r#"{"tables": ["invoices"]}"#, &tables).unwrap_err();

        assert_eq!(
            problem,
            OutputProblem::Malformed(
                "field `tables` names tables that are not in the list: invoices".to_owned()
            )
        );
    }

    #[test]
    fn a_json_array_is_not_accepted_for_an_object() {
        let problem = explanation(r#"["It rose."]"#).unwrap_err();

        assert_eq!(
            problem,
            OutputProblem::Malformed("the answer is JSON but not an object".to_owned())
        );
    }
}
