//! Parsing and resolving datasource files.
//!
//! Invariant: no test reads the real environment; lookups go through an in-test map.

use std::path::Path;

use engine_postgres::TlsMode;
use ports::sql_engine::Dialect;
use secrecy::ExposeSecret;

use super::*;

const PATH: &str = "/etc/analyst/datasources.toml";

fn env_with_shop_url(name: &str) -> Option<String> {
    (name == "SHOP_URL").then(|| "postgres://reader:pw@db:5432/shop".to_owned())
}

fn parse(text: &str) -> Result<Vec<DatasourceConfig>, DatasourceConfigError> {
    parse_datasource_file(text, Path::new(PATH), &["restaurants"], &env_with_shop_url)
}

#[test]
fn a_postgres_datasource_reads_its_url_from_the_named_variable() {
    let configs = parse(
        r#"
        [[datasource]]
        name = "shop"
        engine = "postgres"
        description = "Orders"
        allowed_tables = ["public.orders"]
        sample_values = false
        url_env = "SHOP_URL"
        tls = "require"
        pool_size = 2
        "#,
    )
    .unwrap();

    let [config] = configs.as_slice() else {
        panic!("one datasource expected, got {configs:?}");
    };
    assert_eq!(config.name, "shop");
    assert_eq!(config.description.as_deref(), Some("Orders"));
    assert_eq!(
        config.allowed_tables,
        Some(vec!["public.orders".to_owned()])
    );
    assert_eq!(config.engine.engine_name(), "postgres");
    let EngineConfig::Postgres(settings) = &config.engine else {
        panic!("postgres settings expected");
    };
    assert_eq!(
        settings.url.expose_secret(),
        "postgres://reader:pw@db:5432/shop"
    );
    assert_eq!(settings.dialect, Dialect::Postgres);
    assert_eq!(settings.tls, TlsMode::Require);
    assert_eq!(settings.pool_size, 2);
    assert!(!settings.sample_values);
}

#[test]
fn a_redshift_datasource_speaks_the_redshift_dialect() {
    let configs = parse(
        "[[datasource]]\nname = \"warehouse\"\nengine = \"redshift\"\nurl_env = \"SHOP_URL\"\n",
    )
    .unwrap();

    assert_eq!(configs[0].engine.engine_name(), "redshift");
}

#[test]
fn an_athena_datasource_takes_its_settings_from_the_file() {
    let configs = parse(
        r#"
        [[datasource]]
        name = "lake"
        engine = "athena"
        region = "eu-west-1"
        workgroup = "analyst"
        database = "sales"
        output_location = "s3://results/analyst/"
        endpoint_url = "http://127.0.0.1:4566"
        "#,
    )
    .unwrap();

    let EngineConfig::Athena(settings) = &configs[0].engine else {
        panic!("athena settings expected");
    };
    assert_eq!(settings.region, "eu-west-1");
    assert_eq!(settings.database, "sales");
    assert_eq!(settings.catalog, "AwsDataCatalog");
    assert_eq!(
        settings.output_location.as_deref(),
        Some("s3://results/analyst/")
    );
    assert_eq!(configs[0].allowed_tables, None);
}

#[test]
fn an_unset_url_variable_is_an_error_naming_the_variable_and_the_file() {
    let error = parse(
        "[[datasource]]\nname = \"shop\"\nengine = \"postgres\"\nurl_env = \"MISSING_URL\"\n",
    )
    .unwrap_err()
    .to_string();

    assert!(error.contains("MISSING_URL"), "error: {error}");
    assert!(error.contains(PATH), "error: {error}");
    assert!(error.contains("shop"), "error: {error}");
}

#[test]
fn an_unknown_key_is_an_error() {
    let error = parse(
        "[[datasource]]\nname = \"shop\"\nengine = \"postgres\"\nurl_env = \"SHOP_URL\"\nurl = \"postgres://x\"\n",
    )
    .unwrap_err()
    .to_string();

    assert!(error.contains(PATH), "error: {error}");
    assert!(error.contains("url"), "error: {error}");
}

#[test]
fn an_unknown_engine_is_an_error() {
    let error = parse("[[datasource]]\nname = \"shop\"\nengine = \"mysql\"\n")
        .unwrap_err()
        .to_string();

    assert!(error.contains("mysql"), "error: {error}");
}

#[test]
fn a_name_of_a_demo_database_is_refused() {
    let error = parse(
        "[[datasource]]\nname = \"restaurants\"\nengine = \"postgres\"\nurl_env = \"SHOP_URL\"\n",
    )
    .unwrap_err()
    .to_string();

    assert!(error.contains("demo database"), "error: {error}");
}

#[test]
fn the_same_name_twice_is_refused() {
    let entry = "[[datasource]]\nname = \"shop\"\nengine = \"postgres\"\nurl_env = \"SHOP_URL\"\n";

    let error = parse(&format!("{entry}{entry}")).unwrap_err().to_string();

    assert!(error.contains("more than one"), "error: {error}");
}

#[test]
fn a_pool_of_zero_connections_is_refused() {
    let error = parse(
        "[[datasource]]\nname = \"shop\"\nengine = \"postgres\"\nurl_env = \"SHOP_URL\"\npool_size = 0\n",
    )
    .unwrap_err()
    .to_string();

    assert!(error.contains("pool_size"), "error: {error}");
}

#[test]
fn a_missing_file_is_an_error_naming_the_file() {
    let error = load_datasource_file(
        Path::new("/nonexistent/datasources.toml"),
        &[],
        &env_with_shop_url,
    )
    .unwrap_err()
    .to_string();

    assert!(
        error.contains("/nonexistent/datasources.toml"),
        "error: {error}"
    );
}

#[test]
fn an_empty_file_configures_no_datasource() {
    assert!(parse("").unwrap().is_empty());
}

#[test]
fn the_allow_list_keeps_a_public_table_listed_with_its_schema() {
    let config = &parse(
        "[[datasource]]\nname = \"shop\"\nengine = \"postgres\"\nurl_env = \"SHOP_URL\"\nallowed_tables = [\"public.Orders\", \"sales.refunds\"]\n",
    )
    .unwrap()[0];

    assert!(config.admits_table("orders"));
    assert!(config.admits_table("sales.refunds"));
    assert!(!config.admits_table("customers"));
    assert!(!config.admits_table("other.orders"));
}
