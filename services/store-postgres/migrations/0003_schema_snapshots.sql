-- Schema snapshots of each datasource; the row with the highest id is the current one.

CREATE TABLE schema_snapshots (
    snapshot_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    datasource text NOT NULL,
    version text NOT NULL,
    snapshot jsonb NOT NULL,
    saved_at timestamptz NOT NULL
);

CREATE INDEX schema_snapshots_by_datasource ON schema_snapshots (datasource, snapshot_id);
