-- Feedback on answers, language-model calls per job, the cache entry a hit reused, SQL given
-- by the user, the standalone rewrite of follow-ups, idempotency keys of submissions, outputs of
-- completed tasks (answering redelivered task messages), and the comparison key and source job of every verified pair.

ALTER TABLE jobs ADD COLUMN cache_entry_id text;
ALTER TABLE jobs ADD COLUMN provided_sql text;
ALTER TABLE jobs ADD COLUMN standalone_question text;
ALTER TABLE jobs ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_by_conversation ON jobs (conversation_id, submitted_at) WHERE conversation_id IS NOT NULL;

CREATE TABLE job_model_calls (
    call_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage text NOT NULL,
    model_id text NOT NULL,
    prompt_version text NOT NULL,
    input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    cost_usd double precision CHECK (cost_usd >= 0)
);

CREATE INDEX job_model_calls_by_job ON job_model_calls (job_id, call_id);

CREATE TABLE job_feedback (
    feedback_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    record jsonb NOT NULL,
    given_at timestamptz NOT NULL
);

CREATE INDEX job_feedback_by_job ON job_feedback (job_id, feedback_id);

ALTER TABLE cache_entries ADD COLUMN question_key text NOT NULL DEFAULT '';
ALTER TABLE cache_entries ADD COLUMN source_job_id uuid;
CREATE INDEX cache_entries_by_question ON cache_entries (question_key);
CREATE INDEX cache_entries_by_approval ON cache_entries (approved_at DESC, inserted_seq DESC);

ALTER TABLE few_shot_examples ADD COLUMN question_key text NOT NULL DEFAULT '';
ALTER TABLE few_shot_examples ADD COLUMN source_job_id uuid;
CREATE INDEX few_shot_examples_by_question ON few_shot_examples (question_key);
CREATE INDEX few_shot_examples_by_approval ON few_shot_examples (approved_at DESC, inserted_seq DESC);

CREATE TABLE job_task_outputs (
    task_token text PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    stage text NOT NULL,
    output jsonb NOT NULL,
    completed_at timestamptz NOT NULL
);

CREATE INDEX job_task_outputs_by_job ON job_task_outputs (job_id);
