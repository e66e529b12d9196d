-- Verified question/SQL pairs: the semantic cache and the few-shot examples.
-- `{{embedding_dimension}}` is replaced by the store's configured dimension when this migration
-- runs, so every stored vector has that many components; connecting later with another
-- dimension is refused.
-- Each table has an HNSW index for cosine distance; the datasource (and schema version) filter
-- is applied to the index's candidates, and `inserted_seq` keeps insertion order for ties.

CREATE TABLE cache_entries (
    entry_id uuid PRIMARY KEY,
    inserted_seq bigint GENERATED ALWAYS AS IDENTITY,
    datasource text NOT NULL,
    schema_version text NOT NULL,
    question text NOT NULL,
    sql text NOT NULL,
    embedding vector({{embedding_dimension}}) NOT NULL,
    embedding_model text NOT NULL,
    approved_by text NOT NULL,
    approved_at timestamptz NOT NULL
);

CREATE INDEX cache_entries_embedding_hnsw ON cache_entries
    USING hnsw (embedding vector_cosine_ops);

CREATE TABLE few_shot_examples (
    entry_id uuid PRIMARY KEY,
    inserted_seq bigint GENERATED ALWAYS AS IDENTITY,
    datasource text NOT NULL,
    schema_version text NOT NULL,
    question text NOT NULL,
    sql text NOT NULL,
    embedding vector({{embedding_dimension}}) NOT NULL,
    embedding_model text NOT NULL,
    approved_by text NOT NULL,
    approved_at timestamptz NOT NULL
);

CREATE INDEX few_shot_examples_embedding_hnsw ON few_shot_examples
    USING hnsw (embedding vector_cosine_ops);
