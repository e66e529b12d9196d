//! One recorded AWS request attempt, and reading a call log back.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Body fields that name the resource a call acts on (dotted paths into the JSON body).
pub(crate) const RESOURCE_FIELDS: &[&str] = &[
    "QueueUrl",
    "stateMachineArn",
    "executionArn",
    "Name",
    "DatabaseName",
    "DatabaseInput.Name",
    "TableInput.Name",
    "WorkGroup",
    "SecretId",
    "CatalogId",
];

/// One request attempt as the SDK was about to send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCall {
    /// The SDK's service name, e.g. `SFN`, `S3`, `Bedrock Runtime`.
    pub service: String,
    /// The API operation, e.g. `SendTaskSuccess`.
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Full request URI (host, path and query; REST services name the resource in it).
    pub uri: String,
    /// The [`RESOURCE_FIELDS`] present in a JSON body, as strings.
    pub fields: BTreeMap<String, String>,
}

impl RecordedCall {
    /// `service:operation`, for messages.
    pub fn label(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }
}

/// Every call recorded in the log file at `path`; a missing file means no call was made. A
/// last line without its newline is a call still being written by a running process, and is
/// left out.
pub fn read_call_log(path: &Path) -> std::io::Result<Vec<RecordedCall>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))
        })
        .collect()
}

/// The [`RESOURCE_FIELDS`] of a JSON request body.
pub(crate) fn resource_fields(body: &[u8]) -> BTreeMap<String, String> {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return BTreeMap::new();
    };
    RESOURCE_FIELDS
        .iter()
        .filter_map(|path| {
            let value = path
                .split('.')
                .try_fold(&json, |value, key| value.get(key))?;
            value
                .as_str()
                .map(|text| ((*path).to_owned(), text.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_resource_naming_fields_of_a_body_are_kept() {
        let body = br#"{"DatabaseName":"analyst_sales","TableInput":{"Name":"orders","StorageDescriptor":{}},"taskToken":"secret-ish","output":"{}"}"#;
        let fields = resource_fields(body);
        assert_eq!(
            fields,
            BTreeMap::from([
                ("DatabaseName".to_owned(), "analyst_sales".to_owned()),
                ("TableInput.Name".to_owned(), "orders".to_owned()),
            ])
        );
    }

    #[test]
    fn a_body_that_is_not_json_names_nothing() {
        assert!(resource_fields(b"\x00\x01PK").is_empty());
    }

    #[test]
    fn a_missing_log_is_no_calls_and_a_corrupt_line_is_an_error() {
        let dir = std::env::temp_dir().join(format!("aws-call-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(read_call_log(&dir.join("absent.jsonl")).unwrap().is_empty());
        let corrupt = dir.join("corrupt.jsonl");
        std::fs::write(&corrupt, "{not json\n").unwrap();
        assert!(read_call_log(&corrupt).is_err());
        let being_written = dir.join("being-written.jsonl");
        let line = r#"{"service":"SQS","operation":"ReceiveMessage","method":"POST","uri":"http://127.0.0.1/","fields":{}}"#;
        std::fs::write(&being_written, format!("{line}\n{{\"service\":\"SQ")).unwrap();
        assert_eq!(read_call_log(&being_written).unwrap().len(), 1);
    }
}
