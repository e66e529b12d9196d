-- Jobs, their stage timings, SQL attempts and stored result rows.
-- Timestamps are RFC 3339 UTC text with nanoseconds, so text order is time order.

CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    correlation_id TEXT NOT NULL,
    conversation_id TEXT,
    question TEXT NOT NULL,
    datasource TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    stage TEXT,
    intent TEXT,
    sql TEXT,
    result_ref TEXT,
    cache_hit INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
    cache_similarity REAL,
    answer TEXT,
    chart_json TEXT,
    error_json TEXT,
    submitted_at TEXT NOT NULL,
    finished_at TEXT
);

CREATE INDEX jobs_by_status_and_submission ON jobs (status, submitted_at);

CREATE TABLE job_stage_timings (
    timing_id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'error'))
);

CREATE INDEX job_stage_timings_by_job ON job_stage_timings (job_id, timing_id);

CREATE TABLE job_sql_attempts (
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL CHECK (attempt >= 0),
    sql TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (job_id, attempt)
);

CREATE TABLE job_results (
    result_ref TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    result_json TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE INDEX job_results_by_job ON job_results (job_id);
