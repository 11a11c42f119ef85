-- Where each retention kind's last run stopped: the next run looks only at
-- records finished since then (stays that ended, incidents that closed),
-- so its cost follows what fell due, not every record ever kept.

-- +goose Up
CREATE TABLE retention_marks (
    kind   TEXT PRIMARY KEY,
    cutoff TIMESTAMPTZ NOT NULL
);
CREATE INDEX stays_exited ON stays(exited_at);
CREATE INDEX incidents_closed ON incidents(closed_at);

-- +goose Down
DROP INDEX incidents_closed;
DROP INDEX stays_exited;
DROP TABLE retention_marks;
