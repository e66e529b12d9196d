//! Ingestion throughput against DuckDB reading the same CSV files directly, and peak memory.
//!
//! Generates a ZIP of CSV files (four tables, mixed column types) of `--mib` MiB
//! uncompressed (default 500), then runs two child processes of this binary:
//! - `ingest`: `ingest::prepare_upload` on the ZIP (decompress, validate, infer types,
//!   normalise) plus `engine_duckdb::load_tables` into a fresh DuckDB file;
//! - `duckdb`: `CREATE TABLE ... AS SELECT * FROM read_csv_auto([...])` over the same CSV
//!   files, already extracted on disk.
//!
//! Each child reports its wall time and its peak resident memory (`VmHWM` of
//! `/proc/self/status`); the ingest child reports it after validation and after the load.
//!
//! Run: `cargo bench -p ingest --bench ingest_throughput -- --mib 500 [--dir /tmp/x]`.
//!
//! Invariant: everything it writes lives under one work directory, removed at the end unless
//! `--dir` was given.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use engine_duckdb::{ExistingTables, load_tables};
use ingest::{IngestLimits, IngestOptions, prepare_upload};
use zip::write::SimpleFileOptions;

/// `(table, files)`: the share of the bytes each table gets is proportional to its files.
const TABLES: [(&str, usize); 4] = [
    ("customers", 1),
    ("orders", 3),
    ("products", 1),
    ("sales", 5),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|idx| args.get(idx + 1))
            .cloned()
    };
    match arg("--child").as_deref() {
        Some("ingest") => child_ingest(Path::new(&arg("--work").expect("--work"))),
        Some("duckdb") => child_duckdb(Path::new(&arg("--work").expect("--work"))),
        _ => {
            let mib: u64 = arg("--mib").map_or(500, |mib| mib.parse().expect("--mib is a number"));
            let keep = arg("--dir").map(PathBuf::from);
            run_benchmark(mib, keep);
        }
    }
}

fn run_benchmark(mib: u64, keep: Option<PathBuf>) {
    let work = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ingest-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&work).expect("create the work directory");

    let started = Instant::now();
    let n_bytes = generate_csv_files(&work.join("raw"), mib << 20);
    let zip_bytes = zip_directory(&work.join("raw"), &work.join("upload.zip"));
    eprintln!(
        "generated {:.1} MiB of CSV ({:.1} MiB zipped) in {:.1} s",
        mib_of(n_bytes),
        mib_of(zip_bytes),
        started.elapsed().as_secs_f64()
    );

    let ingest = run_child("ingest", &work);
    let duckdb = run_child("duckdb", &work);
    let ingest_secs = ingest["secs"];
    let duckdb_secs = duckdb["secs"];
    let ingest_rate = mib_of(n_bytes) / ingest_secs;
    let duckdb_rate = mib_of(n_bytes) / duckdb_secs;
    println!(
        "CSV bytes (uncompressed): {:.1} MiB in {} files",
        mib_of(n_bytes),
        TABLES.iter().map(|t| t.1).sum::<usize>()
    );
    println!(
        "ingest (unzip + validate + infer + normalise + DuckDB load): {ingest_secs:.2} s = {ingest_rate:.1} MiB/s \
         (validation {:.2} s, load {:.2} s)",
        ingest["prepare_secs"], ingest["load_secs"]
    );
    println!(
        "duckdb read_csv_auto of the extracted files: {duckdb_secs:.2} s = {duckdb_rate:.1} MiB/s"
    );
    println!("ratio ingest / duckdb: {:.2}", ingest_rate / duckdb_rate);
    println!(
        "peak memory: ingest validation {:.0} MiB, ingest incl. load {:.0} MiB, duckdb direct {:.0} MiB",
        ingest["hwm_prepare_kib"] / 1024.0,
        ingest["hwm_kib"] / 1024.0,
        duckdb["hwm_kib"] / 1024.0
    );
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
}

fn mib_of(n_bytes: u64) -> f64 {
    n_bytes as f64 / f64::from(1 << 20)
}

/// Runs this binary as `--child <mode>` and parses its `key=value` report line.
fn run_child(mode: &str, work: &Path) -> std::collections::HashMap<String, f64> {
    let output = Command::new(std::env::current_exe().expect("the bench binary's path"))
        .args(["--child", mode, "--work"])
        .arg(work)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{mode} child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.parse().expect("a number")))
        .collect()
}

fn child_ingest(work: &Path) {
    let started = Instant::now();
    let zip_file = File::open(work.join("upload.zip")).expect("open the zip");
    let options = IngestOptions {
        limits: IngestLimits {
            max_total_bytes: u64::MAX,
            max_entry_bytes: u64::MAX,
            ..IngestLimits::default()
        },
        ..IngestOptions::default()
    };
    let upload = prepare_upload(
        std::io::BufReader::new(zip_file),
        &work.join("staging"),
        &options,
        &mut |_| {},
    )
    .expect("the generated upload is valid");
    let prepare_secs = started.elapsed().as_secs_f64();
    let hwm_prepare_kib = peak_memory_kib();
    let database_path = work.join("ingest.duckdb");
    let _ = std::fs::remove_file(&database_path);
    let load_started = Instant::now();
    load_tables(&database_path, &upload.tables, ExistingTables::Refuse).expect("the load succeeds");
    let load_secs = load_started.elapsed().as_secs_f64();
    drop(upload);
    println!(
        "secs={} prepare_secs={prepare_secs} load_secs={load_secs} hwm_prepare_kib={hwm_prepare_kib} hwm_kib={}",
        started.elapsed().as_secs_f64(),
        peak_memory_kib()
    );
}

fn child_duckdb(work: &Path) {
    let database_path = work.join("direct.duckdb");
    let _ = std::fs::remove_file(&database_path);
    let started = Instant::now();
    let connection = duckdb::Connection::open(&database_path).expect("open duckdb");
    for (table, n_files) in TABLES {
        let files: Vec<String> = (0..n_files)
            .map(|file_idx| {
                format!(
                    "'{}'",
                    csv_path(&work.join("raw"), table, file_idx).display()
                )
            })
            .collect();
        connection
            .execute_batch(&format!(
                "CREATE TABLE {table} AS SELECT * FROM read_csv_auto([{}])",
                files.join(", ")
            ))
            .expect("duckdb reads the files");
    }
    drop(connection);
    println!(
        "secs={} hwm_kib={}",
        started.elapsed().as_secs_f64(),
        peak_memory_kib()
    );
}

/// `VmHWM` (peak resident set) of this process, in KiB.
fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn csv_path(raw: &Path, table: &str, file_idx: usize) -> PathBuf {
    raw.join(table).join(format!("{table}_{file_idx}.csv"))
}

/// Writes the CSV files (about `target_bytes` in total) and returns their total size.
fn generate_csv_files(raw: &Path, target_bytes: u64) -> u64 {
    let n_files: usize = TABLES.iter().map(|table| table.1).sum();
    let bytes_per_file = target_bytes / n_files as u64;
    let mut n_bytes = 0;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    for (table, n_table_files) in TABLES {
        std::fs::create_dir_all(raw.join(table)).expect("create the table folder");
        for file_idx in 0..n_table_files {
            let path = csv_path(raw, table, file_idx);
            let mut writer = BufWriter::new(File::create(&path).expect("create a csv file"));
            let mut written = 0u64;
            let header = "Row ID,Customer Name,Amount (EUR),Order Date,Created At,Is Active,Note\n";
            writer.write_all(header.as_bytes()).expect("write");
            written += header.len() as u64;
            let mut row_idx = file_idx as u64 * 1_000_000_000;
            while written < bytes_per_file {
                let random = next();
                let line = format!(
                    "{row_idx},{} {},{}.{:02},2024-{:02}-{:02},2024-{:02}-{:02} {:02}:{:02}:{:02},{},\"{}, {}\"\n",
                    words[(random % 8) as usize],
                    words[((random >> 3) % 8) as usize],
                    random % 100_000,
                    (random >> 20) % 100,
                    (random >> 8) % 12 + 1,
                    (random >> 12) % 28 + 1,
                    (random >> 16) % 12 + 1,
                    (random >> 24) % 28 + 1,
                    (random >> 28) % 24,
                    (random >> 32) % 60,
                    (random >> 40) % 60,
                    random % 2 == 0,
                    words[((random >> 44) % 8) as usize],
                    (random >> 48) % 1000,
                );
                writer.write_all(line.as_bytes()).expect("write");
                written += line.len() as u64;
                row_idx += 1;
            }
            writer.flush().expect("flush");
            n_bytes += written;
        }
    }
    n_bytes
}

/// Zips the table folders (deflate, fastest level) and returns the archive's size.
fn zip_directory(raw: &Path, zip_path: &Path) -> u64 {
    let mut writer =
        zip::ZipWriter::new(BufWriter::new(File::create(zip_path).expect("create zip")));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    for (table, n_files) in TABLES {
        for file_idx in 0..n_files {
            let path = csv_path(raw, table, file_idx);
            writer
                .start_file(format!("bench/{table}/{table}_{file_idx}.csv"), options)
                .expect("start a zip entry");
            std::io::copy(&mut File::open(&path).expect("open csv"), &mut writer)
                .expect("zip a file");
        }
    }
    writer.finish().expect("finish the zip");
    std::fs::metadata(zip_path).expect("zip metadata").len()
}
