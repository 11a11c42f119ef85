-- Data rights and retention (PIPL): requests to export or erase one
-- person's data, approved by a second person; and the mark the retention
-- job leaves on a person record it anonymised.

-- +goose Up
CREATE TABLE data_requests (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    person_id         TEXT NOT NULL REFERENCES persons(id),
    reason            TEXT NOT NULL,
    requested_by      TEXT NOT NULL,
    requested_by_name TEXT NOT NULL,
    requested_at      TIMESTAMPTZ NOT NULL,
    decided_by        TEXT NOT NULL DEFAULT '',
    decided_by_name   TEXT NOT NULL DEFAULT '',
    decided_at        TIMESTAMPTZ,
    decision          TEXT NOT NULL DEFAULT '',
    decision_note     TEXT NOT NULL DEFAULT '',
    expires_at        TIMESTAMPTZ,
    done_at           TIMESTAMPTZ
);
CREATE INDEX data_requests_requested ON data_requests(requested_at);

ALTER TABLE persons ADD COLUMN anonymised_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE persons DROP COLUMN anonymised_at;
DROP TABLE data_requests;
