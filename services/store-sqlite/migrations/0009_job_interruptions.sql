-- How many times each job was found running at start-up after the process running it stopped;
-- a job interrupted twice is failed instead of being resumed again.

ALTER TABLE jobs ADD COLUMN n_interruptions INTEGER NOT NULL DEFAULT 0 CHECK (n_interruptions >= 0);
