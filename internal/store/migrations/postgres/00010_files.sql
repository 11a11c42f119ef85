-- Uploaded files (photos) live in the database, not on one node's disk:
-- every node serves them and backups include them. The name is the one
-- the record carries (e.g. signals/202611/<id>.jpg); sha256 is checked on
-- every read.

-- +goose Up
CREATE TABLE files (
    name          TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0 AND size <= 8388608),
    sha256        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    data          BYTEA NOT NULL
);

-- +goose Down
DROP TABLE files;
