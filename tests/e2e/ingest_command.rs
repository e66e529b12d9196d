//! `analyst ingest`: the seed layout (customers/, orders/, products/, sales/ with two files)
//! becomes a datasource that an in-process `analyst ask` answers across two tables; refused
//! uploads leave nothing behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use tokio::process::Command;

use crate::analyst_server::{TempDataDir, analyst_binary};

pub(crate) const CUSTOMERS_CSV: &str = "Customer ID,Customer Name,City\n\
    1,Ann Lee,Lisbon\n2,Bo Chen,Porto\n3,Cy Diaz,Lisbon\n";
/// Windows line endings and a semicolon delimiter, as spreadsheets export them.
const ORDERS_CSV: &str = "Order ID;Customer ID;Order Date;Total Amount\r\n\
    10;1;2024-01-05;20.5\r\n11;1;2024-02-01;12\r\n12;2;2024-02-03;7.25\r\n\
    13;1;2024-03-09;30\r\n14;3;2024-03-10;5\r\n";
const PRODUCTS_CSV: &str = "\u{feff}Product ID,Product Name,Unit Price\n1,Tea,3.5\n2,Coffee,4\n";
const SALES_2023_CSV: &str = "Sale ID,Product ID,Sold On,Quantity\n1,1,2023-05-01,2\n";
const SALES_2024_CSV: &str =
    "Sale ID,Product ID,Sold On,Quantity\n2,2,2024-05-01,1\n3,1,2024-06-01,4\n";

pub(crate) fn write_zip(path: &Path, entries: &[(&str, &str)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = zip::ZipWriter::new(file);
    for (name, content) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
}

pub(crate) fn seed_zip(dir: &Path) -> PathBuf {
    let path = dir.join("your_database.zip");
    write_zip(
        &path,
        &[
            ("your_database/customers/customers.csv", CUSTOMERS_CSV),
            ("your_database/orders/orders.csv", ORDERS_CSV),
            ("your_database/products/products.csv", PRODUCTS_CSV),
            ("your_database/sales/sales_2023.csv", SALES_2023_CSV),
            ("your_database/sales/sales_2024.csv", SALES_2024_CSV),
        ],
    );
    path
}

async fn ingest(zip_path: &Path, data_dir: &Path, extra_args: &[&str]) -> Output {
    Command::new(analyst_binary())
        .arg("ingest")
        .arg(zip_path)
        .args(["--datasource", "shop", "--data-dir"])
        .arg(data_dir)
        .args(extra_args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap()
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn the_seed_layout_ingests_and_a_question_across_two_tables_is_answered() {
    let data_dir = TempDataDir::new();
    let zip_path = seed_zip(&data_dir.path);

    let ingested = ingest(&zip_path, &data_dir.path.join("state"), &[]).await;
    let asked = Command::new(analyst_binary())
        .args([
            "ask",
            "How many orders are there for each customer name?",
            "--datasource",
            "shop",
            "--no-demo",
            "--embedder",
            "offline",
            "--data-dir",
        ])
        .arg(data_dir.path.join("state"))
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();

    let stdout = stdout_of(&ingested);
    assert!(
        ingested.status.success(),
        "{stdout}\n{}",
        stderr_of(&ingested)
    );
    for expected in [
        "customers: 3 rows",
        "orders: 5 rows",
        "products: 2 rows",
        "sales: 3 rows",
        "  total_amount DOUBLE",
        "  order_date DATE",
        "  product_id BIGINT",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in {stdout}"
        );
    }
    assert!(stderr_of(&ingested).contains("checking your_database/sales/sales_2024.csv"));
    let answer = stdout_of(&asked);
    assert!(asked.status.success(), "{answer}\n{}", stderr_of(&asked));
    assert!(
        answer.contains("JOIN customers ON customers.customer_id = orders.customer_id"),
        "{answer}"
    );
    let rows: Vec<Vec<&str>> = answer
        .lines()
        .filter(|line| line.contains(" | "))
        .map(|line| line.split('|').map(str::trim).collect())
        .collect();
    let mut data_rows: Vec<Vec<&str>> = rows[1..].to_vec();
    data_rows.sort();
    assert_eq!(rows[0], ["customer_name", "number_of_orders"]);
    assert_eq!(
        data_rows,
        [["Ann Lee", "3"], ["Bo Chen", "1"], ["Cy Diaz", "1"]]
    );
}

#[tokio::test]
async fn a_refused_upload_leaves_no_table_no_database_and_no_staged_file() {
    let data_dir = TempDataDir::new();
    let zip_path = data_dir.path.join("bad.zip");
    write_zip(
        &zip_path,
        &[
            ("customers/customers.csv", CUSTOMERS_CSV),
            ("orders/orders.csv", "id,customer_id\n1,1\n2\n"),
        ],
    );
    let state_dir = data_dir.path.join("state");

    let output = ingest(&zip_path, &state_dir, &[]).await;

    assert!(!output.status.success());
    assert!(
        stderr_of(&output).contains("`orders/orders.csv` line 3: 1 cells, but the header has 2"),
        "{}",
        stderr_of(&output)
    );
    let ingested_dir = state_dir.join("ingested");
    let leftovers: Vec<_> = std::fs::read_dir(&ingested_dir).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!state_dir.join("staging").exists());
}

#[tokio::test]
async fn existing_tables_are_refused_without_replace_and_replaced_with_it() {
    let data_dir = TempDataDir::new();
    let state_dir = data_dir.path.join("state");
    let first_zip = seed_zip(&data_dir.path);
    let second_zip = data_dir.path.join("more.zip");
    write_zip(
        &second_zip,
        &[
            (
                "customers/customers.csv",
                "Customer ID,Customer Name\n7,Di Eng\n",
            ),
            ("suppliers/suppliers.csv", "Supplier ID,Name\n1,Acme\n"),
        ],
    );
    let first = ingest(&first_zip, &state_dir, &[]).await;
    assert!(first.status.success(), "{}", stderr_of(&first));

    let refused = ingest(&second_zip, &state_dir, &[]).await;
    let replaced = ingest(&second_zip, &state_dir, &["--replace"]).await;

    assert!(!refused.status.success());
    assert!(
        stderr_of(&refused).contains("tables already exist: customers; pass --replace"),
        "{}",
        stderr_of(&refused)
    );
    let stdout = stdout_of(&replaced);
    assert!(replaced.status.success(), "{}", stderr_of(&replaced));
    assert!(stdout.contains("customers: 1 rows, replaced"), "{stdout}");
    assert!(stdout.contains("suppliers: 1 rows"), "{stdout}");
}
