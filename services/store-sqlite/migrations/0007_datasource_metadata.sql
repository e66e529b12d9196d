-- Metadata imported for each datasource (descriptions and metric definitions); an import
-- replaces the datasource's row. (Version 6 is taken by another change.)

CREATE TABLE datasource_metadata (
    datasource TEXT PRIMARY KEY,
    metadata_json TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
