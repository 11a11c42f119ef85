-- The duty engine (issue 19): recurring and one-off duties with their
-- next occurrence only (indexed: what is due costs what is due), and each
-- completion kept as a run with how it ended (done or done late).

-- +goose Up
CREATE TABLE duties (
    id           TEXT PRIMARY KEY,
    area         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    every_n      INTEGER NOT NULL DEFAULT 0,
    every_unit   TEXT NOT NULL DEFAULT '',
    soon_s       INTEGER NOT NULL DEFAULT 0,
    next_due_at  TEXT NOT NULL,
    last_done_at TEXT,
    last_by      TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX duties_key ON duties(area, kind, subject);
CREATE INDEX duties_due ON duties(area, active, next_due_at);

CREATE TABLE duty_runs (
    id        TEXT PRIMARY KEY,
    duty_id   TEXT NOT NULL REFERENCES duties(id),
    due_at    TEXT NOT NULL,
    done_at   TEXT NOT NULL,
    done_by   TEXT NOT NULL,
    state     TEXT NOT NULL,
    record_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX duty_runs_duty ON duty_runs(duty_id, done_at);

-- +goose Down
DROP TABLE duty_runs;
DROP TABLE duties;
