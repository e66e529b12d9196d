//! Reading a Secrets Manager secret once at cold start through the AWS Parameters and Secrets
//! Lambda Extension (a layer listening on localhost), so no AWS SDK for Secrets Manager is
//! linked in.
//!
//! Invariant: the secret's value is returned as a `SecretString` and never logged.

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Port of the extension's HTTP server (its default).
const EXTENSION_PORT: u16 = 2773;

/// Builds a PostgreSQL URL (plain TCP inside the VPC: the state store's client has no TLS yet) from an RDS-style secret (`username`, `password`, `host`, `port`,
/// `dbname`) read through the extension.
pub(crate) async fn postgres_url_from_secret(
    secret_id: &str,
    session_token: &str,
) -> anyhow::Result<SecretString> {
    let secret_text = fetch_secret_string(secret_id, session_token).await?;
    postgres_url_from_secret_json(secret_text.expose_secret())
}

/// The `SecretString` of a secret, read through the extension.
pub(crate) async fn fetch_secret_string(
    secret_id: &str,
    session_token: &str,
) -> anyhow::Result<SecretString> {
    let response: Value = reqwest::Client::new()
        .get(format!(
            "http://localhost:{EXTENSION_PORT}/secretsmanager/get"
        ))
        .query(&[("secretId", secret_id)])
        .header("X-Aws-Parameters-Secrets-Token", session_token)
        .send()
        .await
        .context("ask the parameters-and-secrets extension")?
        .error_for_status()
        .context("the parameters-and-secrets extension refused")?
        .json()
        .await
        .context("read the extension's answer")?;
    let secret_text = response
        .get("SecretString")
        .and_then(Value::as_str)
        .context("the secret has no SecretString")?;
    Ok(SecretString::from(secret_text.to_owned()))
}

fn postgres_url_from_secret_json(secret_text: &str) -> anyhow::Result<SecretString> {
    let secret: Value = serde_json::from_str(secret_text).context("the secret is not JSON")?;
    let field = |name: &str| -> anyhow::Result<String> {
        match secret.get(name) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(Value::Number(number)) => Ok(number.to_string()),
            _ => anyhow::bail!("the secret has no `{name}`"),
        }
    };
    let database = field("dbname").unwrap_or_else(|_| "postgres".to_owned());
    Ok(SecretString::from(format!(
        "postgres://{}:{}@{}:{}/{}",
        percent_encode(&field("username")?),
        percent_encode(&field("password")?),
        field("host")?,
        field("port").unwrap_or_else(|_| "5432".to_owned()),
        database
    )))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rds_secret_becomes_a_url_with_an_encoded_password() {
        let secret = r#"{"username":"analyst","password":"p@ss/word","host":"db.example","port":5432,"dbname":"analyst"}"#;

        let url = postgres_url_from_secret_json(secret).unwrap();

        assert_eq!(
            url.expose_secret(),
            "postgres://analyst:p%40ss%2Fword@db.example:5432/analyst"
        );
    }
}
