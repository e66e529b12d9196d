//! The seed's example ZIP layout (customers/, orders/, products/, sales/ with two files) and a
//! writer for other archives, shared by the ingestion and upload tests.
//!
//! Invariant: the data are small and fixed, so tests can assert exact row counts and answers.

use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) const CUSTOMERS_CSV: &str = "Customer ID,Customer Name,City\n\
    1,Ann Lee,Lisbon\n2,Bo Chen,Porto\n3,Cy Diaz,Lisbon\n";
/// Windows line endings and a semicolon delimiter, as spreadsheets export them.
pub(crate) const ORDERS_CSV: &str = "Order ID;Customer ID;Order Date;Total Amount\r\n\
    10;1;2024-01-05;20.5\r\n11;1;2024-02-01;12\r\n12;2;2024-02-03;7.25\r\n\
    13;1;2024-03-09;30\r\n14;3;2024-03-10;5\r\n";
pub(crate) const PRODUCTS_CSV: &str =
    "\u{feff}Product ID,Product Name,Unit Price\n1,Tea,3.5\n2,Coffee,4\n";
pub(crate) const SALES_2023_CSV: &str = "Sale ID,Product ID,Sold On,Quantity\n1,1,2023-05-01,2\n";
pub(crate) const SALES_2024_CSV: &str =
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
