//! Choice rules: comparisons of a value in the state input, combined with And, Or and Not.
//!
//! Invariant: a rule with no comparison operator never matches.

use serde::Deserialize;
use serde_json::Value;

use super::json_path;

/// One rule of a Choice state (top-level rules carry `Next`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ChoiceRule {
    /// Path of the compared value.
    #[serde(default)]
    pub variable: Option<String>,
    /// Equal to this string.
    #[serde(default)]
    pub string_equals: Option<String>,
    /// Equal to this boolean.
    #[serde(default)]
    pub boolean_equals: Option<bool>,
    /// Equal to this number.
    #[serde(default)]
    pub numeric_equals: Option<f64>,
    /// Less than this number.
    #[serde(default)]
    pub numeric_less_than: Option<f64>,
    /// Less than the number at this path.
    #[serde(default)]
    pub numeric_less_than_path: Option<String>,
    /// Greater than or equal to this number.
    #[serde(default)]
    pub numeric_greater_than_equals: Option<f64>,
    /// The path exists (or not).
    #[serde(default)]
    pub is_present: Option<bool>,
    /// The value is null (or not).
    #[serde(default)]
    pub is_null: Option<bool>,
    /// All of these match.
    #[serde(default)]
    pub and: Option<Vec<ChoiceRule>>,
    /// Any of these matches.
    #[serde(default)]
    pub or: Option<Vec<ChoiceRule>>,
    /// This does not match.
    #[serde(default)]
    pub not: Option<Box<ChoiceRule>>,
    /// State to go to when the rule matches.
    #[serde(default)]
    pub next: Option<String>,
}

impl ChoiceRule {
    /// `true` when the rule matches `input`; type mismatches do not match.
    pub fn matches(&self, input: &Value) -> bool {
        if let Some(rules) = &self.and {
            return rules.iter().all(|rule| rule.matches(input));
        }
        if let Some(rules) = &self.or {
            return rules.iter().any(|rule| rule.matches(input));
        }
        if let Some(rule) = &self.not {
            return !rule.matches(input);
        }
        let Some(variable) = &self.variable else {
            return false;
        };
        let value = json_path::read(input, variable).ok();
        if let Some(expected) = self.is_present {
            return value.is_some() == expected;
        }
        let Some(value) = value else {
            return false;
        };
        if let Some(expected) = self.is_null {
            return value.is_null() == expected;
        }
        if let Some(expected) = &self.string_equals {
            return value.as_str() == Some(expected.as_str());
        }
        if let Some(expected) = self.boolean_equals {
            return value.as_bool() == Some(expected);
        }
        let Some(number) = value.as_f64() else {
            return false;
        };
        if let Some(expected) = self.numeric_equals {
            return number == expected;
        }
        if let Some(bound) = self.numeric_less_than {
            return number < bound;
        }
        if let Some(bound) = self.numeric_greater_than_equals {
            return number >= bound;
        }
        if let Some(bound_path) = &self.numeric_less_than_path {
            let bound = json_path::read(input, bound_path)
                .ok()
                .and_then(|bound| bound.as_f64());
            return bound.is_some_and(|bound| number < bound);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(text: Value) -> ChoiceRule {
        serde_json::from_value(text).unwrap()
    }

    #[test]
    fn string_and_boolean_comparisons_match_exactly() {
        let input = json!({"a": {"intent": "chat", "hit": true}});

        assert!(rule(json!({"Variable": "$.a.intent", "StringEquals": "chat"})).matches(&input));
        assert!(!rule(json!({"Variable": "$.a.intent", "StringEquals": "sql"})).matches(&input));
        assert!(rule(json!({"Variable": "$.a.hit", "BooleanEquals": true})).matches(&input));
    }

    #[test]
    fn numeric_less_than_path_compares_two_values_of_the_input() {
        let input = json!({"attempt": 2, "max": 3});

        assert!(
            rule(json!({"Variable": "$.attempt", "NumericLessThanPath": "$.max"})).matches(&input)
        );
        assert!(
            !rule(json!({"Variable": "$.max", "NumericLessThanPath": "$.attempt"})).matches(&input)
        );
    }

    #[test]
    fn combinators_and_presence_checks_work() {
        let input = json!({"x": null, "y": 1});

        assert!(rule(json!({"Or": [{"Variable": "$.x", "IsNull": true}, {"Variable": "$.z", "IsPresent": true}]})).matches(&input));
        assert!(rule(json!({"Not": {"Variable": "$.z", "IsPresent": true}})).matches(&input));
        assert!(!rule(json!({"And": [{"Variable": "$.y", "NumericEquals": 1}, {"Variable": "$.y", "NumericLessThan": 1}]})).matches(&input));
    }

    #[test]
    fn a_missing_variable_does_not_match_a_comparison() {
        assert!(!rule(json!({"Variable": "$.missing", "BooleanEquals": true})).matches(&json!({})));
    }
}
