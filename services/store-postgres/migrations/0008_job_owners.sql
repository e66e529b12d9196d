-- The API key that submitted each job: only that key (or an admin key) may reach the job, and a
-- conversation belongs to the owner of its first job. Jobs stored before this migration keep a
-- NULL owner, which only admin keys reach.

ALTER TABLE jobs ADD COLUMN owner_key_id text;
