-- How far family search has matched the event log. Every change to a
-- person or a report appends an event ('person', 'report') in its own
-- transaction; the node that holds the 'family-match' lease re-matches
-- the changed records and moves this mark past their events. A record
-- with an event after the mark is still being matched ("matching…").

-- +goose Up
CREATE TABLE match_progress (
    name    TEXT PRIMARY KEY,
    through BIGINT NOT NULL
);

-- +goose Down
DROP TABLE match_progress;
