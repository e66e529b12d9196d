//! What IAM authorises a recorded call as: its action and the ARN of the resource it acts on.
//!
//! Where the request does not name the resource (a task token, a query execution id), the ARN
//! has the right service and resource type and the name `(unnamed)`, so a statement scoped to
//! that type (`…:stateMachine:*`) still matches and one scoped to another type does not.

use crate::recorded_call::RecordedCall;

/// Placeholder name of a resource the request does not name.
pub const UNNAMED: &str = "(unnamed)";

/// Where calls were made, for ARNs the request does not spell out.
#[derive(Debug, Clone)]
pub struct Account {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// Region of the calls.
    pub region: String,
    /// Account id of the caller.
    pub account: String,
}

/// The IAM action AWS checks for `call`, e.g. `states:SendTaskSuccess`.
pub fn action(call: &RecordedCall) -> String {
    let operation = call.operation.as_str();
    match call.service.as_str() {
        "SFN" => format!("states:{operation}"),
        "Bedrock Runtime" => match operation {
            "Converse" | "InvokeModel" => "bedrock:InvokeModel".to_owned(),
            "ConverseStream" | "InvokeModelWithResponseStream" => {
                "bedrock:InvokeModelWithResponseStream".to_owned()
            }
            other => format!("bedrock:{other}"),
        },
        "S3" => s3_action(operation),
        "Secrets Manager" => format!("secretsmanager:{operation}"),
        service => format!("{}:{operation}", service.to_ascii_lowercase()),
    }
}

/// The ARN of the resource `call` acts on.
pub fn resource(call: &RecordedCall, account: &Account) -> String {
    let Account {
        partition,
        region,
        account: account_id,
    } = account;
    let field = |name: &str| call.fields.get(name).map(String::as_str);
    match call.service.as_str() {
        "SFN" => field("stateMachineArn")
            .or(field("executionArn"))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!("arn:{partition}:states:{region}:{account_id}:stateMachine:{UNNAMED}")
            }),
        "SQS" => field("QueueUrl")
            .map(|url| queue_arn(url, account))
            .unwrap_or_else(|| format!("arn:{partition}:sqs:{region}:{account_id}:{UNNAMED}")),
        "Glue" => glue_resource(call, account),
        "Athena" => format!(
            "arn:{partition}:athena:{region}:{account_id}:workgroup/{}",
            field("WorkGroup").unwrap_or(UNNAMED)
        ),
        "S3" => s3_resource(&call.uri, partition),
        "Bedrock Runtime" => bedrock_resource(&call.uri, account),
        "Secrets Manager" => field("SecretId").map(str::to_owned).unwrap_or_else(|| {
            format!("arn:{partition}:secretsmanager:{region}:{account_id}:secret:{UNNAMED}")
        }),
        _ => "*".to_owned(),
    }
}

fn s3_action(operation: &str) -> String {
    let action = match operation {
        "HeadObject" | "GetObject" => "GetObject",
        "PutObject"
        | "CreateMultipartUpload"
        | "UploadPart"
        | "CompleteMultipartUpload"
        | "CopyObject" => "PutObject",
        "ListObjectsV2" | "ListObjects" | "HeadBucket" => "ListBucket",
        "DeleteObjects" | "DeleteObject" => "DeleteObject",
        other => other,
    };
    format!("s3:{action}")
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/name` (or an emulator's
/// `http://host/123456789012/name`) as `arn:aws:sqs:us-east-1:123456789012:name`.
fn queue_arn(url: &str, account: &Account) -> String {
    let mut segments = path_of(url)
        .rsplit('/')
        .filter(|segment| !segment.is_empty());
    let name = segments.next().unwrap_or(UNNAMED);
    let account_id = segments.next().unwrap_or(&account.account);
    format!(
        "arn:{}:sqs:{}:{account_id}:{name}",
        account.partition, account.region
    )
}

fn glue_resource(call: &RecordedCall, account: &Account) -> String {
    let base = format!(
        "arn:{}:glue:{}:{}",
        account.partition, account.region, account.account
    );
    let field = |name: &str| call.fields.get(name).map(String::as_str);
    let database = field("DatabaseName").or(field("DatabaseInput.Name"));
    let table = field("TableInput.Name").or(match call.operation.as_str() {
        "GetTable" | "DeleteTable" | "UpdateTable" | "GetPartitions" => field("Name"),
        _ => None,
    });
    match (database, table) {
        (Some(database), Some(table)) => format!("{base}:table/{database}/{table}"),
        (Some(database), None) => format!("{base}:database/{database}"),
        (None, _) => match call.operation.as_str() {
            "GetDatabase" | "DeleteDatabase" => {
                format!("{base}:database/{}", field("Name").unwrap_or(UNNAMED))
            }
            _ => format!("{base}:catalog"),
        },
    }
}

/// `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`, from a virtual-hosted
/// (`bucket.s3.region.amazonaws.com/key`) or path-style (`host/bucket/key`) URI.
fn s3_resource(uri: &str, partition: &str) -> String {
    let host = host_of(uri);
    let path = path_of(uri).trim_start_matches('/');
    let (bucket, key) = match host.split_once(".s3.") {
        Some((bucket, _)) => (bucket.to_owned(), path.to_owned()),
        None => match path.split_once('/') {
            Some((bucket, key)) => (bucket.to_owned(), key.to_owned()),
            None => (path.to_owned(), String::new()),
        },
    };
    if key.is_empty() {
        format!("arn:{partition}:s3:::{bucket}")
    } else {
        format!("arn:{partition}:s3:::{bucket}/{}", percent_decode(&key))
    }
}

/// `/model/{id}/invoke` as the foundation-model or inference-profile ARN of `id`.
fn bedrock_resource(uri: &str, account: &Account) -> String {
    let path = path_of(uri);
    let model_id = path
        .strip_prefix("/model/")
        .and_then(|rest| rest.split('/').next())
        .map(percent_decode)
        .unwrap_or_else(|| UNNAMED.to_owned());
    if model_id.starts_with("arn:") {
        return model_id;
    }
    let Account {
        partition,
        region,
        account: account_id,
    } = account;
    let is_profile = ["us.", "eu.", "apac.", "us-gov.", "global."]
        .iter()
        .any(|prefix| model_id.starts_with(prefix));
    if is_profile {
        format!("arn:{partition}:bedrock:{region}:{account_id}:inference-profile/{model_id}")
    } else {
        format!("arn:{partition}:bedrock:{region}::foundation-model/{model_id}")
    }
}

fn host_of(uri: &str) -> &str {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    after_scheme.split(['/', '?']).next().unwrap_or("")
}

fn path_of(uri: &str) -> &str {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |start| &after_scheme[start..]);
    path.split('?').next().unwrap_or("")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn account() -> Account {
        Account {
            partition: "aws".to_owned(),
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
        }
    }

    fn call(service: &str, operation: &str, uri: &str, fields: &[(&str, &str)]) -> RecordedCall {
        RecordedCall {
            service: service.to_owned(),
            operation: operation.to_owned(),
            method: "POST".to_owned(),
            uri: uri.to_owned(),
            fields: fields
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn converse_is_authorised_as_invoke_model_on_the_model_or_profile() {
        let on_demand = call(
            "Bedrock Runtime",
            "Converse",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
            &[],
        );
        assert_eq!(action(&on_demand), "bedrock:InvokeModel");
        assert_eq!(
            resource(&on_demand, &account()),
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
        );
        let profile = call(
            "Bedrock Runtime",
            "InvokeModel",
            "http://127.0.0.1:9/model/us.amazon.titan-embed-text-v2%3A0/invoke",
            &[],
        );
        assert_eq!(
            resource(&profile, &account()),
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.titan-embed-text-v2:0"
        );
    }

    #[test]
    fn queues_state_machines_and_tokens_become_arns_of_their_type() {
        let receive = call(
            "SQS",
            "ReceiveMessage",
            "http://127.0.0.1:5000/",
            &[("QueueUrl", "http://127.0.0.1:5000/123456789012/t1-classify")],
        );
        assert_eq!(action(&receive), "sqs:ReceiveMessage");
        assert_eq!(
            resource(&receive, &account()),
            "arn:aws:sqs:us-east-1:123456789012:t1-classify"
        );
        let success = call(
            "SFN",
            "SendTaskSuccess",
            "https://states.us-east-1.amazonaws.com/",
            &[],
        );
        assert_eq!(action(&success), "states:SendTaskSuccess");
        assert_eq!(
            resource(&success, &account()),
            "arn:aws:states:us-east-1:123456789012:stateMachine:(unnamed)"
        );
    }

    #[test]
    fn s3_calls_name_bucket_and_key_in_either_addressing_style() {
        let path_style = call(
            "S3",
            "HeadObject",
            "http://127.0.0.1:5000/uploads/data/t%201.csv?x=1",
            &[],
        );
        assert_eq!(action(&path_style), "s3:GetObject");
        assert_eq!(
            resource(&path_style, &account()),
            "arn:aws:s3:::uploads/data/t 1.csv"
        );
        let virtual_host = call(
            "S3",
            "ListObjectsV2",
            "https://uploads.s3.us-east-1.amazonaws.com/?list-type=2",
            &[],
        );
        assert_eq!(action(&virtual_host), "s3:ListBucket");
        assert_eq!(resource(&virtual_host, &account()), "arn:aws:s3:::uploads");
    }

    #[test]
    fn glue_calls_name_their_database_or_table() {
        let get_table = call(
            "Glue",
            "GetTable",
            "https://glue.us-east-1.amazonaws.com/",
            &[("DatabaseName", "analyst_sales"), ("Name", "orders")],
        );
        assert_eq!(
            resource(&get_table, &account()),
            "arn:aws:glue:us-east-1:123456789012:table/analyst_sales/orders"
        );
        let get_databases = call(
            "Glue",
            "GetDatabases",
            "https://glue.us-east-1.amazonaws.com/",
            &[],
        );
        assert_eq!(
            resource(&get_databases, &account()),
            "arn:aws:glue:us-east-1:123456789012:catalog"
        );
    }
}
