//! Rule-based intent classification: greetings and small talk, chart requests, data questions
//! that mention the schema or use data verbs, and everything else as out of scope.
//!
//! Invariant: decisions rest on whole tokens, never on substrings ("which" is not "hi").

use contracts::stages::Intent;
use ports::language_model::Classification;
use ports::schema::SchemaSnapshot;

use crate::linker::link;
use crate::schema_index::SchemaIndex;
use crate::tokenizer::{Token, tokenize};
use crate::vocabulary::is_data_verb;

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "howdy",
    "greetings",
    "thanks",
    "thank",
    "thx",
    "cheers",
    "bye",
    "goodbye",
];
const SMALL_TALK: &[&[&str]] = &[
    &["who", "are", "you"],
    &["what", "are", "you"],
    &["what", "can", "you", "do"],
    &["how", "are", "you"],
    &["help"],
    &["good", "morning"],
    &["good", "afternoon"],
    &["good", "evening"],
];
const CHART_WORDS: &[&str] = &[
    "chart",
    "plot",
    "graph",
    "visualise",
    "visualize",
    "visualisation",
    "visualization",
    "trend",
    "histogram",
    "draw",
];

/// Chooses the intent of a question over a schema.
pub(crate) fn classify(question: &str, schema: &SchemaSnapshot) -> Classification {
    let tokens = tokenize(question);
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let index = SchemaIndex::build(schema);
    let mentions_schema = !link(&tokens, &index).is_empty();

    if is_small_talk(&texts) && !mentions_schema {
        return Classification {
            intent: Intent::Chat,
            guidance: Some(chat_guidance(schema)),
        };
    }
    if texts.iter().any(|w| CHART_WORDS.contains(w)) && mentions_schema {
        return Classification {
            intent: Intent::Chart,
            guidance: None,
        };
    }
    if mentions_schema || (has_data_verb(&tokens) && tokens.len() > 2 && !texts.contains(&"joke")) {
        return Classification {
            intent: Intent::Sql,
            guidance: None,
        };
    }
    Classification {
        intent: Intent::OutOfScope,
        guidance: Some(out_of_scope_guidance(schema)),
    }
}

fn is_small_talk(texts: &[&str]) -> bool {
    let greeting = texts.first().is_some_and(|w| GREETINGS.contains(w)) && texts.len() <= 6;
    let phrase = SMALL_TALK
        .iter()
        .any(|p| texts.windows(p.len()).any(|window| window == *p));
    greeting || (phrase && texts.len() <= 7)
}

fn has_data_verb(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| is_data_verb(&t.text))
}

fn table_names(schema: &SchemaSnapshot) -> String {
    let names: Vec<&str> = schema
        .tables
        .iter()
        .take(4)
        .map(|t| t.name.as_str())
        .collect();
    names.join(", ")
}

fn example_question(schema: &SchemaSnapshot) -> String {
    match schema.tables.iter().max_by_key(|t| t.n_rows.unwrap_or(0)) {
        Some(table) => format!("\"How many rows are in {}?\"", table.name),
        None => "\"How many rows are there?\"".to_owned(),
    }
}

fn chat_guidance(schema: &SchemaSnapshot) -> String {
    format!(
        "Hello! I answer questions about the {} datasource by writing SQL over its tables ({}). Try asking something like {}",
        schema.datasource,
        table_names(schema),
        example_question(schema)
    )
}

fn out_of_scope_guidance(schema: &SchemaSnapshot) -> String {
    format!(
        "That question is not about the {} datasource, so I cannot answer it. I can count, list, rank and summarise the data in its tables ({}), for example {}",
        schema.datasource,
        table_names(schema),
        example_question(schema)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::restaurants;

    #[test]
    fn greetings_are_chat_with_guidance_naming_tables() {
        let result = classify("hi there!", &restaurants());

        assert_eq!(result.intent, Intent::Chat);
        assert!(result.guidance.unwrap().contains("restaurant"));
    }

    #[test]
    fn which_is_not_mistaken_for_hi() {
        let result = classify("which restaurant has the highest rating", &restaurants());

        assert_eq!(result.intent, Intent::Sql);
    }

    #[test]
    fn plotting_a_schema_term_is_a_chart() {
        assert_eq!(
            classify("plot the average rating by city", &restaurants()).intent,
            Intent::Chart
        );
    }

    #[test]
    fn weather_and_jokes_are_out_of_scope() {
        assert_eq!(
            classify("what's the weather in Paris tomorrow", &restaurants()).intent,
            Intent::OutOfScope
        );
        assert_eq!(
            classify("tell me a joke", &restaurants()).intent,
            Intent::OutOfScope
        );
    }

    #[test]
    fn capability_questions_are_chat() {
        assert_eq!(
            classify("What can you do?", &restaurants()).intent,
            Intent::Chat
        );
        assert_eq!(
            classify("thanks a lot", &restaurants()).intent,
            Intent::Chat
        );
    }
}
