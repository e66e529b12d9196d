-- Schema snapshots of each datasource; the row with the highest id is the current one.

CREATE TABLE schema_snapshots (
    snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT,
    datasource TEXT NOT NULL,
    version TEXT NOT NULL,
    snapshot_json TEXT NOT NULL,
    saved_at TEXT NOT NULL
);

CREATE INDEX schema_snapshots_by_datasource ON schema_snapshots (datasource, snapshot_id);
