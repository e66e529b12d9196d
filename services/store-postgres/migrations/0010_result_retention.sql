-- The size, owner and storage time of each stored result, so results older than the retention
-- period can be hidden and deleted, and each API key's stored bytes can be capped by deleting
-- its oldest results. `n_bytes` is the length of the rows' JSON encoding; `owner_key_id` is
-- copied from the job when the rows are stored (NULL for jobs without an owner, which are capped
-- together as one group). Results stored before this migration get both from the rows and jobs
-- they already have; their size is that of PostgreSQL's text rendering of the jsonb, a few bytes
-- above the compact encoding new results are measured in.

ALTER TABLE job_results
    ADD COLUMN n_bytes bigint NOT NULL DEFAULT 0 CHECK (n_bytes >= 0),
    ADD COLUMN owner_key_id text;

UPDATE job_results SET
    n_bytes = octet_length(job_results.result::text),
    owner_key_id = jobs.owner_key_id
FROM jobs
WHERE jobs.job_id = job_results.job_id;

CREATE INDEX job_results_by_stored_at ON job_results (stored_at);
CREATE INDEX job_results_by_owner_and_stored_at ON job_results (owner_key_id, stored_at);
