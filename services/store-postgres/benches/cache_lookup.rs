//! Semantic-cache lookup latency of `PostgresStore` at realistic sizes: p50, p99 and mean of
//! `nearest_pairs` (HNSW index) and `nearest_pairs_exact` (sequential scan) for k = 1 and k = 5,
//! the recall of HNSW against the exact scan, bulk load and index build times, the cost of
//! loading through `insert_pair` one by one, and recall at other `hnsw.ef_search` values.
//!
//! Run it with `scripts/bench-cache`, which starts PostgreSQL, or with `ANALYST_TEST_PG_URL` set:
//! `cargo bench -p store-postgres --bench cache_lookup -- 10000 100000`.
//! Entry counts come from the arguments or from `CACHE_BENCH_ENTRIES` (comma-separated, default
//! `10000,100000`); the number of query vectors from `CACHE_BENCH_QUERIES` (default 300); the
//! `maintenance_work_mem` of the index build from `CACHE_BENCH_MAINTENANCE_WORK_MEM` (default
//! `512MB`). Progress goes to stderr, the markdown report to stdout.
//!
//! Invariant: the bench works in a database of its own, created fresh and dropped at the end;
//! lookups go through the store's API, and only the bulk load writes the tables directly.

use std::f64::consts::TAU;
use std::future::poll_fn;
use std::pin::pin;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{TimeZone, Utc};
use pgvector::Vector;
use ports::memory_store::{MemoryKind, PairStore, ScoredPair, VerifiedPair, question_key};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use store_postgres::PostgresStore;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::{AsyncMessage, Client, NoTls};
use uuid::Uuid;

/// Environment variable naming the PostgreSQL server (any database on it).
const SERVER_URL_VARIABLE: &str = "ANALYST_TEST_PG_URL";

/// Embedding dimension, as of a small sentence-embedding model (e.g. all-MiniLM-L6-v2).
const DIMENSION: usize = 384;

/// Number of topic clusters the stored questions are drawn from.
const N_CLUSTERS: usize = 300;

/// Share of the query vectors that are perturbed copies of stored vectors (paraphrases); the
/// rest are fresh questions on a known topic.
const COPY_SHARE: f64 = 0.8;

/// Lookups per mode run before measuring, to warm the caches.
const N_WARMUP_LOOKUPS: usize = 20;

/// `insert_pair` calls timed per entry count.
const N_SAMPLE_INSERTS: usize = 200;

/// `hnsw.ef_search` values compared with direct SQL (pgvector's default is 40).
const EF_SEARCH_SWEEP: [u32; 4] = [40, 100, 200, 400];

/// Datasource and schema version of every bench entry.
const DATASOURCE: &str = "bench";
const SCHEMA_VERSION: &str = "v1";

/// Name of the cache table's HNSW index, as created by the migrations.
const HNSW_INDEX: &str = "cache_entries_embedding_hnsw";

/// The store's lookup query for the cache (mirrors `pair_store.rs`), for the ef_search sweep
/// and the plan check.
const LOOKUP_SQL: &str = "SELECT entry_id, datasource, schema_version, question, sql, embedding,
        embedding_model, approved_by, approved_at, source_job_id, inserted_seq,
        1 - (embedding <=> $1) AS similarity
    FROM cache_entries WHERE datasource = $2 AND ($3::text IS NULL OR schema_version = $3)
    ORDER BY embedding <=> $1 LIMIT $4";

/// Binary COPY into the columns `insert_pair` writes.
const COPY_SQL: &str = "COPY cache_entries (entry_id, datasource, schema_version, question, sql,
        embedding, embedding_model, approved_by, approved_at, question_key, source_job_id)
    FROM STDIN (FORMAT binary)";

/// What to measure.
struct BenchSettings {
    entry_counts: Vec<usize>,
    n_queries: usize,
    maintenance_work_mem: String,
}

/// How a lookup finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookupMode {
    /// `nearest_pairs`: the HNSW index.
    Hnsw,
    /// `nearest_pairs_exact`: a sequential scan.
    Exact,
}

/// One returned row: entry id and cosine similarity.
type Hit = (String, f64);

/// Latency percentiles of one series of calls.
struct LatencySummary {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

/// The lookups of one mode at one entry count.
struct LookupRow {
    n_entries: usize,
    mode: LookupMode,
    top1: LatencySummary,
    top5: LatencySummary,
    recall_at_1: f64,
    recall_at_5: f64,
    load: Duration,
    index_build: Duration,
    index_used: bool,
}

/// Direct-SQL HNSW lookups (k = 5) at one `hnsw.ef_search`.
struct SweepRow {
    n_entries: usize,
    ef_search: u32,
    latency: LatencySummary,
    recall_at_1: f64,
    recall_at_5: f64,
    /// Recall@1 and recall@5 of the perturbed copies, then of the fresh queries.
    recall_by_query_kind: [f64; 4],
}

/// `insert_pair` one by one into a loaded table.
struct InsertRow {
    n_entries: usize,
    latency: LatencySummary,
}

/// Everything the bench prints.
struct BenchReport {
    server_facts: Vec<(String, String)>,
    lookups: Vec<LookupRow>,
    sweep: Vec<SweepRow>,
    inserts: Vec<InsertRow>,
}

/// Topic clusters on the unit sphere; stored questions are noisy members of one topic.
struct Corpus {
    centres: Vec<Vec<f32>>,
    spreads: Vec<f32>,
    cumulative_weights: Vec<f64>,
}

/// The query vectors of one entry count; the first `n_copies` are perturbed stored vectors.
struct QuerySet {
    vectors: Vec<Vec<f32>>,
    n_copies: usize,
}

fn main() -> anyhow::Result<()> {
    let settings = BenchSettings::from_args_and_env()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("build the tokio runtime")?;
    let report = runtime.block_on(run(&settings))?;
    println!("{}", report.to_markdown(&settings));
    Ok(())
}

impl BenchSettings {
    fn from_args_and_env() -> anyhow::Result<Self> {
        // `cargo bench` passes `--bench`; every other argument is an entry count.
        let arguments: Vec<String> = std::env::args()
            .skip(1)
            .filter(|argument| !argument.starts_with("--"))
            .collect();
        let entry_counts = if arguments.is_empty() {
            std::env::var("CACHE_BENCH_ENTRIES").unwrap_or_else(|_| "10000,100000".into())
        } else {
            arguments.join(",")
        };
        let entry_counts = entry_counts
            .split(',')
            .map(|count| {
                count
                    .trim()
                    .replace('_', "")
                    .parse::<usize>()
                    .with_context(|| format!("entry count {count:?} is not a number"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if entry_counts.iter().any(|&count| count < 10) {
            bail!("every entry count must be at least 10");
        }
        let n_queries = match std::env::var("CACHE_BENCH_QUERIES") {
            Ok(value) => value
                .parse()
                .context("CACHE_BENCH_QUERIES is not a number")?,
            Err(_) => 300,
        };
        if n_queries < 10 {
            bail!("CACHE_BENCH_QUERIES must be at least 10");
        }
        let maintenance_work_mem =
            std::env::var("CACHE_BENCH_MAINTENANCE_WORK_MEM").unwrap_or_else(|_| "512MB".into());
        Ok(BenchSettings {
            entry_counts,
            n_queries,
            maintenance_work_mem,
        })
    }
}

/// Creates the bench database, measures, and drops the database whatever happened.
async fn run(settings: &BenchSettings) -> anyhow::Result<BenchReport> {
    let server_url = std::env::var(SERVER_URL_VARIABLE).with_context(|| {
        format!(
            "{SERVER_URL_VARIABLE} is not set: run scripts/bench-cache, which starts PostgreSQL"
        )
    })?;
    let database_name = format!("bench_cache_{}", Uuid::new_v4().simple());
    let server = connect(&server_url).await?;
    server
        .batch_execute(&format!("CREATE DATABASE {database_name}"))
        .await
        .context("create the bench database")?;
    eprintln!("created database {database_name}");
    let database_url = url_with_database(&server_url, &database_name);
    let outcome = measure(settings, &database_url).await;
    server
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"
        ))
        .await
        .context("drop the bench database")?;
    eprintln!("dropped database {database_name}");
    outcome
}

async fn measure(settings: &BenchSettings, database_url: &str) -> anyhow::Result<BenchReport> {
    let store = PostgresStore::connect(&SecretString::from(database_url.to_owned()), 2, DIMENSION)
        .await
        .context("connect the store and migrate the bench database")?;
    let mut client = connect(database_url).await?;
    let index_definition: String = client
        .query_one(
            "SELECT indexdef FROM pg_indexes WHERE indexname = $1",
            &[&HNSW_INDEX],
        )
        .await
        .context("read the migrated HNSW index definition")?
        .get(0);
    let mut server_facts = Vec::new();
    for (fact, sql) in [
        ("server", "SELECT version()"),
        (
            "pgvector",
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
        ),
        ("shared_buffers", "SHOW shared_buffers"),
        (
            "server default hnsw.ef_search (the store sets its own per lookup)",
            "SHOW hnsw.ef_search",
        ),
    ] {
        let value: String = client.query_one(sql, &[]).await?.get(0);
        server_facts.push((fact.to_owned(), value));
    }
    server_facts.push(("index".to_owned(), index_definition.clone()));

    let mut rng = StdRng::seed_from_u64(0x00c0_ffee);
    let corpus = Corpus::new(&mut rng);
    let max_entries = settings.entry_counts.iter().copied().max().unwrap_or(0);
    eprintln!("generating {max_entries} clustered {DIMENSION}-dimensional vectors");
    let entries: Vec<Vec<f32>> = (0..max_entries).map(|_| corpus.sample(&mut rng)).collect();

    let mut report = BenchReport {
        server_facts,
        lookups: Vec::new(),
        sweep: Vec::new(),
        inserts: Vec::new(),
    };
    for &n_entries in &settings.entry_counts {
        eprintln!("== {n_entries} entries");
        let (load, index_build) =
            load_and_index(&client, settings, &index_definition, &entries[..n_entries]).await?;
        let queries = QuerySet::new(&corpus, &entries[..n_entries], settings.n_queries, &mut rng);
        let index_used = plan_uses_index(&client, &queries.vectors[0]).await?;
        if !index_used {
            eprintln!("warning: the planner does not use {HNSW_INDEX} at {n_entries} entries");
        }
        let mut exact_answers = None;
        // Exact first: its answers are the reference for the recall of every HNSW series.
        for mode in [LookupMode::Exact, LookupMode::Hnsw] {
            for query in queries.vectors.iter().take(N_WARMUP_LOOKUPS) {
                lookup(&store, mode, query, 5).await?;
            }
            let (top1_hits, top1) = lookup_all(&store, mode, &queries, 1).await?;
            let (top5_hits, top5) = lookup_all(&store, mode, &queries, 5).await?;
            eprintln!(
                "{mode:?}: k=1 p50 {:.2?}, k=5 p50 {:.2?}",
                top1.p50, top5.p50
            );
            let (exact_top1, exact_top5) =
                exact_answers.get_or_insert_with(|| (top1_hits.clone(), top5_hits.clone()));
            report.lookups.push(LookupRow {
                n_entries,
                mode,
                top1,
                top5,
                recall_at_1: recall(&top1_hits, exact_top1),
                recall_at_5: recall(&top5_hits, exact_top5),
                load,
                index_build,
                index_used,
            });
        }
        let (exact_top1, exact_top5) = exact_answers.expect("the exact series ran");
        for ef_search in EF_SEARCH_SWEEP {
            let (hits, latency) = sweep_lookups(&mut client, ef_search, &queries).await?;
            let top1_hits: Vec<Vec<Hit>> = hits.iter().map(|list| list[..1].to_vec()).collect();
            let (copies, fresh) = (..queries.n_copies, queries.n_copies..);
            report.sweep.push(SweepRow {
                n_entries,
                ef_search,
                latency,
                recall_at_1: recall(&top1_hits, &exact_top1),
                recall_at_5: recall(&hits, &exact_top5),
                recall_by_query_kind: [
                    recall(&top1_hits[copies], &exact_top1[copies]),
                    recall(&hits[copies], &exact_top5[copies]),
                    recall(&top1_hits[fresh.clone()], &exact_top1[fresh.clone()]),
                    recall(&hits[fresh.clone()], &exact_top5[fresh]),
                ],
            });
        }
        let latency = time_inserts(&store, &corpus, n_entries, &mut rng).await?;
        eprintln!("insert_pair: mean {:.2?}", latency.mean);
        report.inserts.push(InsertRow { n_entries, latency });
    }
    // Rows per entry count: HNSW first, then exact.
    report
        .lookups
        .sort_by_key(|row| (row.n_entries, row.mode == LookupMode::Exact));
    Ok(report)
}

/// Empties the cache table, loads `entries` with a binary COPY and builds the HNSW index with
/// the migration's definition; returns both durations.
async fn load_and_index(
    client: &Client,
    settings: &BenchSettings,
    index_definition: &str,
    entries: &[Vec<f32>],
) -> anyhow::Result<(Duration, Duration)> {
    client
        .batch_execute(&format!(
            "DROP INDEX IF EXISTS {HNSW_INDEX}; TRUNCATE cache_entries RESTART IDENTITY"
        ))
        .await
        .context("empty the cache table")?;
    let started = Instant::now();
    copy_entries(client, entries).await?;
    let load = started.elapsed();
    eprintln!("loaded with binary COPY in {load:.1?}");
    client
        .query_one(
            "SELECT set_config('maintenance_work_mem', $1, false)",
            &[&settings.maintenance_work_mem],
        )
        .await
        .context("set maintenance_work_mem")?;
    let started = Instant::now();
    client
        .batch_execute(index_definition)
        .await
        .context("build the HNSW index")?;
    let index_build = started.elapsed();
    eprintln!("built the HNSW index in {index_build:.1?}");
    client
        .batch_execute("VACUUM ANALYZE cache_entries")
        .await
        .context("vacuum and analyze the cache table")?;
    Ok((load, index_build))
}

/// Times `insert_pair` into the loaded table, whose HNSW index grows with every call.
async fn time_inserts(
    store: &PostgresStore,
    corpus: &Corpus,
    n_entries: usize,
    rng: &mut StdRng,
) -> anyhow::Result<LatencySummary> {
    let mut latencies = Vec::with_capacity(N_SAMPLE_INSERTS);
    for insert_idx in 0..N_SAMPLE_INSERTS {
        let pair = bench_pair(n_entries + insert_idx, corpus.sample(rng));
        let started = Instant::now();
        store
            .insert_pair(MemoryKind::Cache, pair)
            .await
            .context("insert a pair through the store")?;
        latencies.push(started.elapsed());
    }
    Ok(summarize(latencies))
}

/// Writes one bench pair per vector with a binary COPY, as `insert_pair` would have.
async fn copy_entries(client: &Client, entries: &[Vec<f32>]) -> anyhow::Result<()> {
    let vector_type = client
        .prepare("SELECT embedding FROM cache_entries LIMIT 0")
        .await?
        .columns()[0]
        .type_()
        .clone();
    let sink = client.copy_in(COPY_SQL).await.context("start the COPY")?;
    let column_types = [
        Type::UUID,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        vector_type,
        Type::TEXT,
        Type::TEXT,
        Type::TIMESTAMPTZ,
        Type::TEXT,
        Type::UUID,
    ];
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &column_types));
    for (entry_idx, embedding) in entries.iter().enumerate() {
        let pair = bench_pair(entry_idx, embedding.clone());
        let entry_id = Uuid::new_v4();
        let embedding = Vector::from(pair.embedding);
        writer
            .as_mut()
            .write(&[
                &entry_id,
                &pair.datasource,
                &pair.schema_version,
                &pair.question,
                &pair.sql,
                &embedding,
                &pair.embedding_model,
                &pair.approved_by,
                &pair.approved_at,
                &question_key(&pair.question),
                &pair.source_job_id,
            ])
            .await
            .context("copy a row")?;
    }
    writer.as_mut().finish().await.context("finish the COPY")?;
    Ok(())
}

/// Whether the plan of the store's lookup query (k = 5) scans the HNSW index.
async fn plan_uses_index(client: &Client, query: &[f32]) -> anyhow::Result<bool> {
    let plan = client
        .query(
            &format!("EXPLAIN {LOOKUP_SQL}"),
            &[
                &Vector::from(query.to_vec()),
                &DATASOURCE,
                &Some(SCHEMA_VERSION),
                &5_i64,
            ],
        )
        .await
        .context("explain the lookup")?;
    Ok(plan
        .iter()
        .any(|row| row.get::<_, String>(0).contains(HNSW_INDEX)))
}

/// One lookup through the store's API.
async fn lookup(
    store: &PostgresStore,
    mode: LookupMode,
    query: &[f32],
    k: usize,
) -> anyhow::Result<Vec<ScoredPair>> {
    let found = match mode {
        LookupMode::Hnsw => {
            store
                .nearest_pairs(
                    MemoryKind::Cache,
                    DATASOURCE,
                    Some(SCHEMA_VERSION),
                    query,
                    k,
                )
                .await
        }
        LookupMode::Exact => {
            store
                .nearest_pairs_exact(
                    MemoryKind::Cache,
                    DATASOURCE,
                    Some(SCHEMA_VERSION),
                    query,
                    k,
                )
                .await
        }
    };
    found.with_context(|| format!("{mode:?} lookup with k={k}"))
}

/// Every query of the set, timed one by one.
async fn lookup_all(
    store: &PostgresStore,
    mode: LookupMode,
    queries: &QuerySet,
    k: usize,
) -> anyhow::Result<(Vec<Vec<Hit>>, LatencySummary)> {
    let mut hits = Vec::with_capacity(queries.vectors.len());
    let mut latencies = Vec::with_capacity(queries.vectors.len());
    for query in &queries.vectors {
        let started = Instant::now();
        let found = lookup(store, mode, query, k).await?;
        latencies.push(started.elapsed());
        hits.push(
            found
                .into_iter()
                .map(|scored| (scored.pair.entry_id, f64::from(scored.similarity)))
                .collect(),
        );
    }
    Ok((hits, summarize(latencies)))
}

/// The store's HNSW lookup (k = 5) in direct SQL, at another `hnsw.ef_search`.
async fn sweep_lookups(
    client: &mut Client,
    ef_search: u32,
    queries: &QuerySet,
) -> anyhow::Result<(Vec<Vec<Hit>>, LatencySummary)> {
    let mut hits = Vec::with_capacity(queries.vectors.len());
    let mut latencies = Vec::with_capacity(queries.vectors.len());
    for query in &queries.vectors {
        let started = Instant::now();
        let transaction = client.build_transaction().read_only(true).start().await?;
        transaction
            .batch_execute(&format!("SET LOCAL hnsw.ef_search = {ef_search}"))
            .await?;
        let rows = transaction
            .query(
                LOOKUP_SQL,
                &[
                    &Vector::from(query.clone()),
                    &DATASOURCE,
                    &Some(SCHEMA_VERSION),
                    &5_i64,
                ],
            )
            .await?;
        transaction.commit().await?;
        latencies.push(started.elapsed());
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let entry_id: Uuid = row.try_get(0)?;
            found.push((entry_id.to_string(), row.try_get::<_, f64>("similarity")?));
        }
        if found.is_empty() {
            bail!("an HNSW lookup at ef_search {ef_search} found nothing");
        }
        hits.push(found);
    }
    Ok((hits, summarize(latencies)))
}

/// Mean share of the exact answers that the approximate answers contain; an approximate hit
/// as similar as the exact list's last entry counts too (ties).
fn recall(approximate: &[Vec<Hit>], exact: &[Vec<Hit>]) -> f64 {
    let n_queries = approximate.len().min(exact.len());
    if n_queries == 0 {
        return f64::NAN;
    }
    let total: f64 = approximate
        .iter()
        .zip(exact)
        .map(|(approximate, exact)| {
            let Some((_, worst_exact)) = exact.last() else {
                return 1.0;
            };
            let n_found = approximate
                .iter()
                .take(exact.len())
                .filter(|(entry_id, similarity)| {
                    exact.iter().any(|(exact_id, _)| exact_id == entry_id)
                        || *similarity >= worst_exact - 1e-6
                })
                .count();
            n_found as f64 / exact.len() as f64
        })
        .sum();
    total / n_queries as f64
}

/// p50 and p99 (nearest rank) and mean of `latencies`.
fn summarize(mut latencies: Vec<Duration>) -> LatencySummary {
    latencies.sort_unstable();
    let nearest_rank = |fraction: f64| {
        let rank = (fraction * latencies.len() as f64).ceil() as usize;
        latencies[rank.clamp(1, latencies.len()) - 1]
    };
    let total: Duration = latencies.iter().sum();
    LatencySummary {
        p50: nearest_rank(0.50),
        p99: nearest_rank(0.99),
        mean: total / u32::try_from(latencies.len()).expect("fewer than 2^32 samples"),
    }
}

impl Corpus {
    fn new(rng: &mut StdRng) -> Self {
        // A direction every embedding leans towards, as real sentence embeddings do: unrelated
        // questions still have a cosine similarity of about 0.1 to 0.2.
        let shared_direction = random_unit_vector(rng);
        let centres = (0..N_CLUSTERS)
            .map(|_| {
                let own_direction = random_unit_vector(rng);
                normalized(
                    shared_direction
                        .iter()
                        .zip(&own_direction)
                        .map(|(shared, own)| 0.5 * shared + own)
                        .collect(),
                )
            })
            .collect();
        // Per-component noise 0.03 to 0.06: members are at cosine 0.87 to 0.66 from the centre.
        let spreads = (0..N_CLUSTERS)
            .map(|_| rng.random_range(0.03..0.06))
            .collect();
        // Popular topics hold many more questions than rare ones.
        let mut cumulative = 0.0;
        let cumulative_weights = (0..N_CLUSTERS)
            .map(|cluster_idx| {
                cumulative += 1.0 / (cluster_idx as f64 + 1.0).powf(0.7);
                cumulative
            })
            .collect();
        Corpus {
            centres,
            spreads,
            cumulative_weights,
        }
    }

    /// A new question's embedding: a noisy member of a topic picked by popularity.
    fn sample(&self, rng: &mut StdRng) -> Vec<f32> {
        let total = self.cumulative_weights.last().copied().unwrap_or(1.0);
        let target = rng.random::<f64>() * total;
        let cluster_idx = self
            .cumulative_weights
            .partition_point(|&cumulative| cumulative < target)
            .min(N_CLUSTERS - 1);
        perturbed(&self.centres[cluster_idx], self.spreads[cluster_idx], rng)
    }
}

impl QuerySet {
    /// Perturbed copies of random stored vectors (paraphrases, cosine 0.93 to 0.995 to the
    /// original), then fresh questions on known topics.
    fn new(corpus: &Corpus, stored: &[Vec<f32>], n_queries: usize, rng: &mut StdRng) -> Self {
        let n_copies = (n_queries as f64 * COPY_SHARE).round() as usize;
        let mut vectors: Vec<Vec<f32>> = (0..n_copies)
            .map(|_| {
                let original = &stored[rng.random_range(0..stored.len())];
                perturbed(original, rng.random_range(0.005..0.02), rng)
            })
            .collect();
        vectors.extend((n_copies..n_queries).map(|_| corpus.sample(rng)));
        QuerySet { vectors, n_copies }
    }
}

impl BenchReport {
    fn to_markdown(&self, settings: &BenchSettings) -> String {
        let mut out = String::new();
        out.push_str("## Semantic-cache lookup latency (store-postgres)\n\n");
        for (fact, value) in &self.server_facts {
            out.push_str(&format!("- {fact}: `{value}`\n"));
        }
        out.push_str(&format!(
            "- vectors: {DIMENSION} dimensions, unit length, {N_CLUSTERS} topic clusters of \
             skewed sizes; {} queries ({:.0}% perturbed copies of stored vectors, the rest \
             fresh questions on known topics); one client, sequential calls\n",
            settings.n_queries,
            COPY_SHARE * 100.0
        ));
        out.push_str(&format!(
            "- load: binary COPY into `cache_entries`, then the migration's index definition \
             with maintenance_work_mem = {}\n\n",
            settings.maintenance_work_mem
        ));
        out.push_str(
            "| entries | mode | k=1 p50 | k=1 p99 | k=1 mean | k=5 p50 | k=5 p99 | k=5 mean \
             | recall@1 | recall@5 | load | index build |\n",
        );
        out.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for row in &self.lookups {
            let mode = match (row.mode, row.index_used) {
                (LookupMode::Hnsw, true) => "HNSW (`nearest_pairs`)",
                (LookupMode::Hnsw, false) => "HNSW (`nearest_pairs`, index NOT used)",
                (LookupMode::Exact, _) => "exact (`nearest_pairs_exact`)",
            };
            out.push_str(&format!(
                "| {} | {mode} | {} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.1} s | {:.1} s |\n",
                row.n_entries,
                millis(row.top1.p50),
                millis(row.top1.p99),
                millis(row.top1.mean),
                millis(row.top5.p50),
                millis(row.top5.p99),
                millis(row.top5.mean),
                row.recall_at_1,
                row.recall_at_5,
                row.load.as_secs_f64(),
                row.index_build.as_secs_f64(),
            ));
        }
        out.push_str(
            "\nHNSW at other `hnsw.ef_search` values (direct SQL, same query and transaction \
             shape as the store, k=5; recall against the exact scan):\n\n",
        );
        out.push_str(
            "| entries | ef_search | p50 | p99 | mean | recall@1 | recall@5 \
             | copies recall@1 | copies recall@5 | fresh recall@1 | fresh recall@5 |\n",
        );
        out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for row in &self.sweep {
            let [copies_at_1, copies_at_5, fresh_at_1, fresh_at_5] = row.recall_by_query_kind;
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {copies_at_1:.3} | {copies_at_5:.3} \
                 | {fresh_at_1:.3} | {fresh_at_5:.3} |\n",
                row.n_entries,
                row.ef_search,
                millis(row.latency.p50),
                millis(row.latency.p99),
                millis(row.latency.mean),
                row.recall_at_1,
                row.recall_at_5,
            ));
        }
        out.push_str(&format!(
            "\n`insert_pair` one by one into the loaded table ({N_SAMPLE_INSERTS} calls, \
             HNSW index maintained):\n\n"
        ));
        out.push_str("| entries | p50 | p99 | mean | whole load at this rate |\n");
        out.push_str("|---:|---:|---:|---:|---:|\n");
        for row in &self.inserts {
            let whole_load = row.latency.mean.as_secs_f64() * row.n_entries as f64;
            out.push_str(&format!(
                "| {} | {} | {} | {} | {whole_load:.0} s |\n",
                row.n_entries,
                millis(row.latency.p50),
                millis(row.latency.p99),
                millis(row.latency.mean),
            ));
        }
        out
    }
}

/// The pair stored for entry `entry_idx`, with realistic text sizes.
fn bench_pair(entry_idx: usize, embedding: Vec<f32>) -> VerifiedPair {
    VerifiedPair {
        entry_id: String::new(),
        datasource: DATASOURCE.into(),
        schema_version: SCHEMA_VERSION.into(),
        question: format!("What was the total revenue of product line {entry_idx} by month?"),
        sql: format!(
            "SELECT date_trunc('month', ordered_at) AS month, sum(amount) AS revenue \
             FROM orders WHERE product_line_id = {entry_idx} GROUP BY 1 ORDER BY 1"
        ),
        embedding,
        embedding_model: "bench-embedding-384".into(),
        approved_by: "bench".into(),
        approved_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
            .single()
            .expect("a valid fixed time"),
        source_job_id: None,
    }
}

/// `vector` plus Gaussian noise of standard deviation `sigma` per component, normalized.
fn perturbed(vector: &[f32], sigma: f32, rng: &mut StdRng) -> Vec<f32> {
    normalized(
        vector
            .iter()
            .map(|component| component + sigma * standard_normal(rng))
            .collect(),
    )
}

fn random_unit_vector(rng: &mut StdRng) -> Vec<f32> {
    normalized((0..DIMENSION).map(|_| standard_normal(rng)).collect())
}

fn normalized(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector
        .iter()
        .map(|component| component * component)
        .sum::<f32>()
        .sqrt();
    for component in &mut vector {
        *component /= norm;
    }
    vector
}

/// A standard normal sample (Box-Muller).
fn standard_normal(rng: &mut StdRng) -> f32 {
    let radius = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
    (radius * (TAU * rng.random::<f64>()).cos()) as f32
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// A client on `url`, its connection driven by a spawned task that prints the server's notices
/// (such as pgvector's "hnsw graph no longer fits into maintenance_work_mem").
async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, mut connection) = tokio_postgres::connect(url, NoTls)
        .await
        .context("connect to the PostgreSQL server")?;
    tokio::spawn(async move {
        while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
            if let AsyncMessage::Notice(notice) = message {
                eprintln!("server notice: {}", notice.message());
            }
        }
    });
    Ok(client)
}

/// `server_url` with its database name replaced by `name` (query parameters kept).
fn url_with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
