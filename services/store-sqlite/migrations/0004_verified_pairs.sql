-- Verified question/SQL pairs: the semantic cache and the few-shot examples.
-- `embedding` is `embedding_dim` little-endian f32 values (4 bytes each).

CREATE TABLE cache_entries (
    entry_id TEXT PRIMARY KEY,
    datasource TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    question TEXT NOT NULL,
    sql TEXT NOT NULL,
    embedding BLOB NOT NULL,
    embedding_model TEXT NOT NULL,
    embedding_dim INTEGER NOT NULL CHECK (length(embedding) = 4 * embedding_dim),
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL
);

CREATE INDEX cache_entries_by_scope ON cache_entries (datasource, schema_version);

CREATE TABLE few_shot_examples (
    entry_id TEXT PRIMARY KEY,
    datasource TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    question TEXT NOT NULL,
    sql TEXT NOT NULL,
    embedding BLOB NOT NULL,
    embedding_model TEXT NOT NULL,
    embedding_dim INTEGER NOT NULL CHECK (length(embedding) = 4 * embedding_dim),
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL
);

CREATE INDEX few_shot_examples_by_datasource ON few_shot_examples (datasource);
