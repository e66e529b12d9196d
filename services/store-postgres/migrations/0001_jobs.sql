-- Jobs, their stage timings, SQL attempts and stored result rows.
-- `created_seq` breaks ties between jobs submitted at the same instant (insertion order).

CREATE TABLE jobs (
    job_id uuid PRIMARY KEY,
    created_seq bigint GENERATED ALWAYS AS IDENTITY,
    correlation_id text NOT NULL,
    conversation_id text,
    question text NOT NULL,
    datasource text NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    stage text,
    intent text,
    sql text,
    result_ref text,
    cache_hit boolean NOT NULL DEFAULT false,
    cache_similarity real,
    answer text,
    chart jsonb,
    error jsonb,
    submitted_at timestamptz NOT NULL,
    finished_at timestamptz
);

CREATE INDEX jobs_by_status_and_submission ON jobs (status, submitted_at, created_seq);

CREATE TABLE job_stage_timings (
    timing_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage text NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms bigint CHECK (duration_ms >= 0),
    outcome text NOT NULL CHECK (outcome IN ('running', 'ok', 'error'))
);

CREATE INDEX job_stage_timings_by_job ON job_stage_timings (job_id, timing_id);

CREATE TABLE job_sql_attempts (
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    attempt bigint NOT NULL CHECK (attempt >= 0),
    sql text NOT NULL,
    error text,
    PRIMARY KEY (job_id, attempt)
);

CREATE TABLE job_results (
    result_ref text PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    result jsonb NOT NULL,
    stored_at timestamptz NOT NULL
);

CREATE INDEX job_results_by_job ON job_results (job_id);
