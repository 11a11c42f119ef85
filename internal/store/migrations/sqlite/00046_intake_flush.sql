-- PostgreSQL only (its intake syncer's row, intake_flush): SQLite's
-- syncer makes commits durable with an fsync of the WAL file. Kept so
-- that both dialects number their migrations alike.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
