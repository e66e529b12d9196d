//! Regenerates `contracts/schema/*.json` from the Rust types: `cargo run -p contracts --example export_schema`.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let schema_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    std::fs::create_dir_all(&schema_dir)?;
    for (stem, schema) in contracts::schema_export::all_schemas() {
        let text = serde_json::to_string_pretty(&schema).expect("schema serializes") + "\n";
        std::fs::write(schema_dir.join(format!("{stem}.json")), text)?;
    }
    Ok(())
}
