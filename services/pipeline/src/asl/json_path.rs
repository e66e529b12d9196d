//! The reference paths of States Language (`$`, `$.a.b`, `$$.Task.Token`) and Parameters
//! templates whose `key.$` entries take values from the input or the context object.
//!
//! Invariant: reading never invents values; a missing path is an error, as on AWS.

use serde_json::{Map, Value};

/// A path could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PathError {
    /// The path is not a supported reference path.
    #[error("unsupported path '{0}'")]
    Unsupported(String),
    /// The path names a field the document does not have.
    #[error("path '{0}' does not exist in the input")]
    Missing(String),
}

/// Reads the value at `path` (`$` or `$.field.field...`).
pub fn read(document: &Value, path: &str) -> Result<Value, PathError> {
    let mut current = document;
    for field in segments(path)? {
        current = current
            .get(field)
            .ok_or_else(|| PathError::Missing(path.to_owned()))?;
    }
    Ok(current.clone())
}

/// Writes `value` at `path`, creating objects on the way; `$` replaces the whole document.
pub fn write(document: &mut Value, path: &str, value: Value) -> Result<(), PathError> {
    let fields = segments(path)?;
    let Some((last, parents)) = fields.split_last() else {
        *document = value;
        return Ok(());
    };
    let mut current = document;
    for field in parents {
        if !current.get(*field).is_some_and(Value::is_object) {
            as_object(current, path)?.insert((*field).to_owned(), Value::Object(Map::new()));
        }
        current = current
            .get_mut(*field)
            .expect("the field was just ensured to exist");
    }
    as_object(current, path)?.insert((*last).to_owned(), value);
    Ok(())
}

/// Builds a Parameters value: `key.$` entries are paths into `input` (or, with `$$.`, into
/// `context`); other entries are copied, recursively.
pub fn resolve_parameters(
    template: &Value,
    input: &Value,
    context: &Value,
) -> Result<Value, PathError> {
    match template {
        Value::Object(entries) => {
            let mut resolved = Map::new();
            for (key, value) in entries {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let path = value
                            .as_str()
                            .ok_or_else(|| PathError::Unsupported(key.clone()))?;
                        let resolved_value = match path.strip_prefix('$') {
                            Some(rest) if rest.starts_with('$') => read(context, rest)?,
                            Some(_) => read(input, path)?,
                            None => return Err(PathError::Unsupported(path.to_owned())),
                        };
                        resolved.insert(name.to_owned(), resolved_value);
                    }
                    None => {
                        resolved.insert(key.clone(), resolve_parameters(value, input, context)?);
                    }
                }
            }
            Ok(Value::Object(resolved))
        }
        Value::Array(items) => Ok(Value::Array(
            items
                .iter()
                .map(|item| resolve_parameters(item, input, context))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(other.clone()),
    }
}

/// Places a state's result into its input according to a ResultPath (`null` discards it).
pub fn apply_result_path(
    input: &Value,
    result_path: &Value,
    result: Value,
) -> Result<Value, PathError> {
    match result_path {
        Value::Null => Ok(input.clone()),
        Value::String(path) => {
            let mut output = input.clone();
            write(&mut output, path, result)?;
            Ok(output)
        }
        other => Err(PathError::Unsupported(other.to_string())),
    }
}

fn segments(path: &str) -> Result<Vec<&str>, PathError> {
    if path == "$" {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix("$.")
        .ok_or_else(|| PathError::Unsupported(path.to_owned()))?;
    let fields: Vec<&str> = rest.split('.').collect();
    if fields
        .iter()
        .any(|field| field.is_empty() || field.contains(['[', ']', '*']))
    {
        return Err(PathError::Unsupported(path.to_owned()));
    }
    Ok(fields)
}

fn as_object<'a>(
    value: &'a mut Value,
    path: &str,
) -> Result<&'a mut Map<String, Value>, PathError> {
    value
        .as_object_mut()
        .ok_or_else(|| PathError::Unsupported(format!("{path} writes into a non-object")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn read_follows_fields_and_reports_missing_ones() {
        let document = json!({"a": {"b": 3}});

        assert_eq!(read(&document, "$.a.b").unwrap(), json!(3));
        assert_eq!(read(&document, "$").unwrap(), document);
        assert_eq!(
            read(&document, "$.a.c"),
            Err(PathError::Missing("$.a.c".into()))
        );
    }

    #[test]
    fn write_creates_intermediate_objects() {
        let mut document = json!({"a": 1});

        write(&mut document, "$.b.c", json!(true)).unwrap();

        assert_eq!(document, json!({"a": 1, "b": {"c": true}}));
    }

    #[test]
    fn parameters_take_values_from_input_and_context() {
        let template = json!({"static": 1, "q.$": "$.question", "token.$": "$$.Task.Token", "nested": {"n.$": "$.n"}});
        let input = json!({"question": "hi", "n": null});
        let context = json!({"Task": {"Token": "t-1"}});

        let resolved = resolve_parameters(&template, &input, &context).unwrap();

        assert_eq!(
            resolved,
            json!({"static": 1, "q": "hi", "token": "t-1", "nested": {"n": null}})
        );
    }

    #[test]
    fn a_null_result_path_discards_the_result() {
        assert_eq!(
            apply_result_path(&json!({"a": 1}), &Value::Null, json!(2)).unwrap(),
            json!({"a": 1})
        );
    }
}
