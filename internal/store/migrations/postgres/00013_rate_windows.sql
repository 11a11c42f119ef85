-- Rate-limit counters shared by every node: one row per limiter, key (a
-- client address or an API key) and fixed window, counted by one atomic
-- upsert per request. Old windows are swept.

-- +goose Up
CREATE TABLE rate_windows (
    limiter       TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (limiter, key, window_start)
);
CREATE INDEX rate_windows_start ON rate_windows(window_start);

-- +goose Down
DROP TABLE rate_windows;
