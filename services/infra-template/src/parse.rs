//! Reads template text into a `serde_yaml_ng::Value` in which every short-form intrinsic
//! (`!Ref`, `!Sub`, `!GetAtt A.B`, ...) is rewritten to its long form (`Ref:`, `Fn::Sub:`,
//! `Fn::GetAtt: [A, B]`, ...), so the rest of the crate sees one shape.
//!
//! Invariant: only tags are rewritten; every untagged value is kept as written.

use serde_yaml_ng::value::TaggedValue;
use serde_yaml_ng::{Mapping, Value};

use crate::error::TemplateError;

/// The short-form tags written `!Name` for the long form `Fn::Name`.
const FUNCTION_TAGS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "GetAtt",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "Equals",
    "Not",
    "And",
    "Or",
];

/// Parses YAML (or JSON) template text; the root must be a mapping with a `Resources` mapping.
pub(crate) fn parse_template(yaml: &str) -> Result<Value, TemplateError> {
    let root = to_long_form(serde_yaml_ng::from_str::<Value>(yaml)?)?;
    match root.get("Resources") {
        Some(Value::Mapping(_)) => Ok(root),
        _ => Err(TemplateError::Malformed(
            "no Resources mapping at the top level".to_owned(),
        )),
    }
}

fn to_long_form(value: Value) -> Result<Value, TemplateError> {
    match value {
        Value::Tagged(tagged) => {
            let TaggedValue { tag, value } = *tagged;
            let inner = to_long_form(value)?;
            let tag = tag.to_string();
            let name = tag.trim_start_matches('!');
            let (key, inner) = match name {
                "Ref" | "Condition" => (name.to_owned(), inner),
                "GetAtt" => ("Fn::GetAtt".to_owned(), split_dotted_get_att(inner)),
                _ if FUNCTION_TAGS.contains(&name) => (format!("Fn::{name}"), inner),
                _ => return Err(TemplateError::UnknownTag(name.to_owned())),
            };
            let mut mapping = Mapping::new();
            mapping.insert(Value::String(key), inner);
            Ok(Value::Mapping(mapping))
        }
        Value::Sequence(items) => items
            .into_iter()
            .map(to_long_form)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Sequence),
        Value::Mapping(mapping) => {
            let mut long_form = Mapping::new();
            for (key, value) in mapping {
                long_form.insert(key, to_long_form(value)?);
            }
            Ok(Value::Mapping(long_form))
        }
        scalar => Ok(scalar),
    }
}

/// `!GetAtt Resource.Attribute` splits at the first dot, as CloudFormation does
/// (`!GetAtt Db.Endpoint.Address` is `[Db, Endpoint.Address]`).
fn split_dotted_get_att(inner: Value) -> Value {
    match inner {
        Value::String(dotted) => match dotted.split_once('.') {
            Some((logical_id, attribute)) => Value::Sequence(vec![
                Value::String(logical_id.to_owned()),
                Value::String(attribute.to_owned()),
            ]),
            None => Value::String(dotted),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let yaml = "Resources:\n  A:\n    Type: T\n    Properties:\n      X: !GetAtt Q.Arn\n      Y: !Sub ['${a}', {a: !Ref P}]\n      Z: !Condition C\n";

        let root = parse_template(yaml).unwrap();

        let properties = &root["Resources"]["A"]["Properties"];
        assert_eq!(
            properties["X"]["Fn::GetAtt"][1],
            Value::String("Arn".to_owned())
        );
        assert_eq!(
            properties["Y"]["Fn::Sub"][1]["a"]["Ref"],
            Value::String("P".to_owned())
        );
        assert_eq!(properties["Z"]["Condition"], Value::String("C".to_owned()));
    }

    #[test]
    fn an_unknown_tag_is_an_error() {
        let result = parse_template("Resources:\n  A: !Bogus x\n");

        assert!(matches!(result, Err(TemplateError::UnknownTag(tag)) if tag == "Bogus"));
    }

    #[test]
    fn a_template_without_resources_is_malformed() {
        assert!(matches!(
            parse_template("Parameters: {}\n"),
            Err(TemplateError::Malformed(_))
        ));
    }
}
