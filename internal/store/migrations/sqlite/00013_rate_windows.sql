-- Rate-limit counters: one row per limiter, key (a client address or an
-- API key) and fixed window, counted by one atomic upsert per request. Old
-- windows are swept. A SQLite station is one node and keeps its counters
-- in memory; the table is here so that both schemas stay alike.

-- +goose Up
CREATE TABLE rate_windows (
    limiter       TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (limiter, key, window_start)
);
CREATE INDEX rate_windows_start ON rate_windows(window_start);

-- +goose Down
DROP TABLE rate_windows;
