//! Versioned prompt templates, bundled from `prompts/*.txt` at compile time, and their
//! rendering.
//!
//! A template file starts with a `version: <name>@v<N>` line, then an optional `--- system ---`
//! section and a `--- user ---` section. `{{name}}` marks a placeholder. Any change to a
//! template's wording bumps its version, so every recorded answer names the exact prompt.
//!
//! Invariant: rendering is one pass, so a value that contains `{{...}}` (a question, a sample
//! value) is never expanded again.

use std::sync::LazyLock;

/// A parsed template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PromptTemplate {
    /// Name and version, such as `sql_zero_shot@v1`.
    pub(crate) version: &'static str,
    system: &'static str,
    user: &'static str,
}

/// A template with its placeholders filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenderedPrompt {
    /// Version of the template it came from.
    pub(crate) version: &'static str,
    /// Instructions (empty for a template without a system section).
    pub(crate) system: String,
    /// The user turn.
    pub(crate) user: String,
}

/// Every bundled template.
#[derive(Debug)]
pub(crate) struct PromptTemplates {
    pub(crate) intent_classification: PromptTemplate,
    pub(crate) table_selection: PromptTemplate,
    pub(crate) sql_zero_shot: PromptTemplate,
    pub(crate) sql_few_shot: PromptTemplate,
    pub(crate) sql_repair: PromptTemplate,
    pub(crate) explanation: PromptTemplate,
    pub(crate) format_correction: PromptTemplate,
    pub(crate) question_rewrite: PromptTemplate,
}

/// The bundled templates, parsed once.
pub(crate) static PROMPTS: LazyLock<PromptTemplates> = LazyLock::new(|| PromptTemplates {
    intent_classification: bundled(include_str!("../prompts/intent_classification.txt")),
    table_selection: bundled(include_str!("../prompts/table_selection.txt")),
    sql_zero_shot: bundled(include_str!("../prompts/sql_zero_shot.txt")),
    sql_few_shot: bundled(include_str!("../prompts/sql_few_shot.txt")),
    sql_repair: bundled(include_str!("../prompts/sql_repair.txt")),
    explanation: bundled(include_str!("../prompts/explanation.txt")),
    format_correction: bundled(include_str!("../prompts/format_correction.txt")),
    question_rewrite: bundled(include_str!("../prompts/question_rewrite.txt")),
});

const VERSION_PREFIX: &str = "version: ";
const SYSTEM_MARKER: &str = "--- system ---";
const USER_MARKER: &str = "--- user ---";

fn bundled(source: &'static str) -> PromptTemplate {
    PromptTemplate::parse(source).expect("bundled templates are checked by the unit tests")
}

impl PromptTemplate {
    /// Parses the file format described in the module documentation.
    pub(crate) fn parse(source: &'static str) -> Result<PromptTemplate, String> {
        let (first_line, body) = source
            .split_once('\n')
            .ok_or("a template needs a version line and a body")?;
        let version = first_line
            .strip_prefix(VERSION_PREFIX)
            .map(str::trim)
            .filter(|version| is_version(version))
            .ok_or_else(|| {
                format!("first line must be `version: <name>@v<N>`, got {first_line:?}")
            })?;
        let (before_user, user) = body
            .split_once(USER_MARKER)
            .ok_or_else(|| format!("{version} has no `{USER_MARKER}` section"))?;
        let system = match before_user.trim().strip_prefix(SYSTEM_MARKER) {
            Some(system) => system,
            None if before_user.trim().is_empty() => "",
            None => return Err(format!("{version} has text outside a section")),
        };
        Ok(PromptTemplate {
            version,
            system: system.trim(),
            user: user.trim(),
        })
    }

    /// Fills every placeholder from `values`.
    ///
    /// # Panics
    ///
    /// When the template names a placeholder `values` lacks: a bug the unit tests catch.
    pub(crate) fn render(&self, values: &[(&str, &str)]) -> RenderedPrompt {
        RenderedPrompt {
            version: self.version,
            system: fill(self.version, self.system, values),
            user: fill(self.version, self.user, values),
        }
    }

    /// Names of the placeholders, in order of appearance, repeats included.
    #[cfg(test)]
    pub(crate) fn placeholders(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for text in [self.system, self.user] {
            let mut rest = text;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let end = after.find("}}").unwrap();
                names.push(&after[..end]);
                rest = &after[end + 2..];
            }
        }
        names
    }
}

/// `name@vN` with a non-empty name and a numeric version.
fn is_version(version: &str) -> bool {
    version.split_once("@v").is_some_and(|(name, number)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    })
}

fn fill(version: &str, text: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        filled.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("template {version} has an unclosed placeholder"));
        let name = &after[..end];
        let value = values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
            .unwrap_or_else(|| panic!("template {version} needs a value for {{{{{name}}}}}"));
        filled.push_str(value);
        rest = &after[end + 2..];
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_template_parses_with_a_distinct_version() {
        let prompts = &*PROMPTS;
        let versions = [
            prompts.intent_classification.version,
            prompts.table_selection.version,
            prompts.sql_zero_shot.version,
            prompts.sql_few_shot.version,
            prompts.sql_repair.version,
            prompts.explanation.version,
            prompts.format_correction.version,
            prompts.question_rewrite.version,
        ];

        assert_eq!(
            versions,
            [
                "intent_classification@v1",
                "table_selection@v1",
                "sql_zero_shot@v1",
                "sql_few_shot@v1",
                "sql_repair@v1",
                "explanation@v1",
                "format_correction@v1",
                "question_rewrite@v1",
            ]
        );
    }

    #[test]
    fn every_template_but_the_correction_has_instructions_asking_for_json() {
        let prompts = &*PROMPTS;
        for template in [
            prompts.intent_classification,
            prompts.table_selection,
            prompts.sql_zero_shot,
            prompts.sql_few_shot,
            prompts.sql_repair,
            prompts.explanation,
            prompts.question_rewrite,
        ] {
            assert!(template.system.contains("JSON"), "{}", template.version);
        }
        assert_eq!(prompts.format_correction.system, "");
    }

    #[test]
    fn each_template_uses_exactly_the_placeholders_its_caller_fills() {
        let prompts = &*PROMPTS;
        let sql = [
            "datasource",
            "dialect",
            "dialect_notes",
            "question",
            "schema",
        ];
        let cases: [(PromptTemplate, &[&str]); 8] = [
            (
                prompts.intent_classification,
                &["datasource", "question", "tables"],
            ),
            (
                prompts.table_selection,
                &["datasource", "question", "tables"],
            ),
            (prompts.sql_zero_shot, &sql),
            (
                prompts.sql_few_shot,
                &[
                    "datasource",
                    "dialect",
                    "dialect_notes",
                    "examples",
                    "question",
                    "schema",
                ],
            ),
            (
                prompts.sql_repair,
                &[
                    "attempt",
                    "datasource",
                    "dialect",
                    "dialect_notes",
                    "error",
                    "examples",
                    "failed_sql",
                    "question",
                    "schema",
                ],
            ),
            (
                prompts.explanation,
                &["question", "rows", "rows_note", "sql"],
            ),
            (prompts.format_correction, &["problem"]),
            (prompts.question_rewrite, &["history", "question"]),
        ];
        for (template, expected) in cases {
            let mut names = template.placeholders();
            names.sort_unstable();
            names.dedup();

            assert_eq!(names, expected, "{}", template.version);
        }
    }

    #[test]
    fn a_template_without_a_version_line_is_refused() {
        let error = PromptTemplate::parse("hello\n--- user ---\nhi").unwrap_err();

        assert_eq!(
            error,
            "first line must be `version: <name>@v<N>`, got \"hello\""
        );
    }

    #[test]
    fn rendering_fills_placeholders_once_and_never_expands_a_value() {
        let template =
            PromptTemplate::parse("version: demo@v2\n--- system ---\nAct as {{role}}.\n--- user ---\nQ: {{question}} ({{role}})")
                .unwrap();

        let rendered = template.render(&[("role", "analyst"), ("question", "what is {{role}}?")]);

        assert_eq!(rendered.version, "demo@v2");
        assert_eq!(rendered.system, "Act as analyst.");
        assert_eq!(rendered.user, "Q: what is {{role}}? (analyst)");
    }
}
