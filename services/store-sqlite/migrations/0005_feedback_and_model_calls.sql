-- Feedback on answers, language-model calls per job, the cache entry a hit reused, SQL given
-- by the user, the standalone rewrite of follow-ups, idempotency keys of submissions, outputs of
-- completed tasks (answering redelivered task messages), and the comparison key and source job of every verified pair.

ALTER TABLE jobs ADD COLUMN cache_entry_id TEXT;
ALTER TABLE jobs ADD COLUMN provided_sql TEXT;
ALTER TABLE jobs ADD COLUMN standalone_question TEXT;
ALTER TABLE jobs ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_by_conversation ON jobs (conversation_id, submitted_at);

CREATE TABLE job_model_calls (
    call_id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    model_id TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    input_tokens INTEGER NOT NULL CHECK (input_tokens >= 0),
    output_tokens INTEGER NOT NULL CHECK (output_tokens >= 0),
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    cost_usd REAL CHECK (cost_usd >= 0)
);

CREATE INDEX job_model_calls_by_job ON job_model_calls (job_id, call_id);

CREATE TABLE job_feedback (
    feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    record_json TEXT NOT NULL,
    given_at TEXT NOT NULL
);

CREATE INDEX job_feedback_by_job ON job_feedback (job_id, feedback_id);

ALTER TABLE cache_entries ADD COLUMN question_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cache_entries ADD COLUMN source_job_id TEXT;
CREATE INDEX cache_entries_by_question ON cache_entries (datasource, question_key);

ALTER TABLE few_shot_examples ADD COLUMN question_key TEXT NOT NULL DEFAULT '';
ALTER TABLE few_shot_examples ADD COLUMN source_job_id TEXT;
CREATE INDEX few_shot_examples_by_question ON few_shot_examples (datasource, question_key);
CREATE INDEX cache_entries_by_approval ON cache_entries (approved_at);
CREATE INDEX few_shot_examples_by_approval ON few_shot_examples (approved_at);

CREATE TABLE job_task_outputs (
    task_token TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    output_json TEXT NOT NULL,
    completed_at TEXT NOT NULL
);

CREATE INDEX job_task_outputs_by_job ON job_task_outputs (job_id);
