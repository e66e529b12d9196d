-- Uploads of ZIP archives: the whole view as JSON, plus the columns listings filter and sort on.

CREATE TABLE uploads (
    upload_id UUID PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    view_json JSONB NOT NULL
);

CREATE INDEX uploads_by_created_at ON uploads (created_at);
