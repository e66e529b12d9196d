//! The MCP resources: one `analyst://datasources/{name}/schema` per datasource, whose contents
//! are the JSON body of `GET /v1/datasources/{name}/schema`; this module names them, parses
//! their URIs and turns an API refusal into the MCP error a `resources/read` answers.
//!
//! Invariant: never calls the API itself; the server handler lists and reads the resources
//! through the same routes (and the same key) as `list_datasources` and `describe_datasource`.

use contracts::api::DatasourceView;
use contracts::mcp::{ToolErrorBody, ToolErrorDetail};
use rmcp::model::{ErrorData, Resource};

/// MIME type of a schema resource's contents.
pub(crate) const SCHEMA_MIME_TYPE: &str = "application/json";

/// What a schema resource URI starts with; the datasource name and [`SCHEMA_URI_SUFFIX`] follow.
const SCHEMA_URI_PREFIX: &str = "analyst://datasources/";

/// What a schema resource URI ends with.
const SCHEMA_URI_SUFFIX: &str = "/schema";

/// The URI of `datasource`'s schema, e.g. `analyst://datasources/restaurants/schema`; a name
/// with characters outside unreserved ASCII is percent-encoded.
pub(crate) fn schema_resource_uri(datasource: &str) -> String {
    format!(
        "{SCHEMA_URI_PREFIX}{}{SCHEMA_URI_SUFFIX}",
        percent_encode_path_segment(datasource)
    )
}

/// The datasource name a schema resource URI names, or `None` when `uri` is not one.
pub(crate) fn datasource_of_schema_uri(uri: &str) -> Option<String> {
    let encoded_name = uri
        .strip_prefix(SCHEMA_URI_PREFIX)?
        .strip_suffix(SCHEMA_URI_SUFFIX)?;
    if encoded_name.is_empty() || encoded_name.contains('/') {
        return None;
    }
    let datasource = percent_decode(encoded_name)?;
    if datasource == "." || datasource == ".." {
        return None;
    }
    Some(datasource)
}

/// The resource listed for one datasource of `GET /v1/datasources`.
pub(crate) fn schema_resource(datasource_view: &DatasourceView) -> Resource {
    let mut description = format!(
        "Tables, columns, types, descriptions, sampled values and metrics of the {} datasource ({} engine, {} tables).",
        datasource_view.name,
        datasource_view.engine,
        datasource_view.tables.len()
    );
    if let Some(datasource_description) = &datasource_view.description {
        description.push(' ');
        description.push_str(datasource_description);
    }
    Resource::new(
        schema_resource_uri(&datasource_view.name),
        format!("{} schema", datasource_view.name),
    )
    .with_title(format!("Schema of {}", datasource_view.name))
    .with_description(description)
    .with_mime_type(SCHEMA_MIME_TYPE)
}

/// The MCP error for a URI that names no schema resource: resource not found, with code
/// `unknown_resource`.
pub(crate) fn unknown_resource_error(uri: &str) -> ErrorData {
    resource_error(ToolErrorDetail {
        code: "unknown_resource".to_owned(),
        message: format!(
            "no resource at {uri}; schema resources are {SCHEMA_URI_PREFIX}{{name}}{SCHEMA_URI_SUFFIX}"
        ),
        http_status: None,
        job_id: None,
    })
}

/// The MCP error for a failed list or read: resource not found for an API 404 (or an unknown
/// URI), invalid request for any other refusal, internal error when the API could not answer.
/// Its data is `{ "error": { "code", "message", "http_status" } }`, the body of a tool error.
pub(crate) fn resource_error(error_detail: ToolErrorDetail) -> ErrorData {
    let message = error_detail.message.clone();
    let not_found =
        error_detail.http_status == Some(404) || error_detail.code == "unknown_resource";
    let refused = error_detail
        .http_status
        .is_some_and(|http_status| (400..500).contains(&http_status));
    let data = serde_json::to_value(ToolErrorBody {
        error: error_detail,
    })
    .expect("an error body always serializes");
    if not_found {
        ErrorData::resource_not_found(message, Some(data))
    } else if refused {
        ErrorData::invalid_request(message, Some(data))
    } else {
        ErrorData::internal_error(message, Some(data))
    }
}

/// `segment` with every byte but unreserved ASCII percent-encoded, so a datasource name cannot
/// change the path or URI it is put in.
pub(crate) fn percent_encode_path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// `encoded` with each `%XX` decoded, or `None` when an escape is malformed or the bytes are
/// not UTF-8.
fn percent_decode(encoded: &str) -> Option<String> {
    let mut decoded_bytes = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let high = char::from(bytes.next()?).to_digit(16)?;
            let low = char::from(bytes.next()?).to_digit(16)?;
            decoded_bytes.push(u8::try_from(high * 16 + low).expect("two hex digits fit a byte"));
        } else {
            decoded_bytes.push(byte);
        }
    }
    String::from_utf8(decoded_bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_uri_round_trips_a_name_with_reserved_characters() {
        let datasource = "sales eu/2024";

        let uri = schema_resource_uri(datasource);

        assert_eq!(uri, "analyst://datasources/sales%20eu%2F2024/schema");
        assert_eq!(datasource_of_schema_uri(&uri).as_deref(), Some(datasource));
    }

    #[test]
    fn uris_that_name_no_schema_resource_are_not_parsed() {
        let uris = [
            "analyst://datasources/restaurants",
            "analyst://datasources//schema",
            "analyst://datasources/a/b/schema",
            "analyst://datasources/../schema",
            "analyst://datasources/%2E%2E/schema",
            "analyst://datasources/%zz/schema",
            "file:///etc/passwd",
        ];

        let parsed: Vec<Option<String>> = uris
            .iter()
            .map(|uri| datasource_of_schema_uri(uri))
            .collect();

        assert_eq!(parsed, vec![None; uris.len()]);
    }
}
