-- Uploads of ZIP archives: the whole view as JSON, plus the columns listings filter and sort on.

CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    view_json TEXT NOT NULL
);

CREATE INDEX uploads_by_created_at ON uploads (created_at);
