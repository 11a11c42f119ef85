-- The row the intake syncer updates to make committed help signals
-- durable (issue 16, internal/store/intake_pg.go): the committer's
-- connection commits without waiting for the WAL's flush, and one
-- durable commit of this row flushes the WAL past every batch before it.

-- +goose Up
CREATE TABLE intake_flush (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO intake_flush (id, n) VALUES (1, 0);

-- +goose Down
DROP TABLE intake_flush;
