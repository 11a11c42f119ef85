-- Federated family search (docs/scale.md): reports are served to peers
-- oldest change first, so (updated_at, id) is indexed; and what this
-- instance pulled from each peer is kept, to go on from there.

-- +goose Up
CREATE INDEX missing_reports_changed ON missing_reports(updated_at, id);
CREATE TABLE family_peers (
    name         TEXT PRIMARY KEY,
    cursor_at    TEXT,
    cursor_id    TEXT NOT NULL DEFAULT '',
    pulled_at    TEXT,
    added        INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE family_peers;
DROP INDEX missing_reports_changed;
