-- Family search (寻亲, DESIGN.md §3.6): missing-person reports from
-- families, police and other stations; match candidates between people
-- and reports or earlier records, with the staff's decisions; consent not
-- to be matched publicly; and public notices for unidentified people.

-- +goose Up
CREATE TABLE missing_reports (
    id                TEXT PRIMARY KEY,
    ref               TEXT NOT NULL UNIQUE,
    source            TEXT NOT NULL,
    source_org        TEXT NOT NULL DEFAULT '',
    external_id       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    aliases           TEXT NOT NULL DEFAULT '',
    sex               TEXT NOT NULL DEFAULT 'unknown',
    birth_date        TEXT NOT NULL DEFAULT '',
    age_min           INTEGER NOT NULL DEFAULT 0,
    age_max           INTEGER NOT NULL DEFAULT 0,
    height_cm         INTEGER NOT NULL DEFAULT 0,
    id_enc            TEXT NOT NULL DEFAULT '',
    native_place      TEXT NOT NULL DEFAULT '',
    dialect           TEXT NOT NULL DEFAULT '',
    lost_on           TEXT NOT NULL DEFAULT '',
    lost_place        TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    photo             TEXT NOT NULL DEFAULT '',
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_relation  TEXT NOT NULL DEFAULT '',
    contact_phone_enc TEXT NOT NULL DEFAULT '',
    private           INTEGER NOT NULL DEFAULT 0,
    person_id         TEXT REFERENCES persons(id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX missing_reports_status ON missing_reports(status, created_at);
CREATE UNIQUE INDEX missing_reports_external ON missing_reports(source_org, external_id) WHERE external_id <> '';

-- The report's history; public rows are what the family sees.
CREATE TABLE report_updates (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES missing_reports(id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 0,
    by_name    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_updates_report ON report_updates(report_id, at);

-- A candidate pairs a person with a report (target 'r:<id>') or with an
-- earlier record (target 'p:<id>'). Decided pairs keep their decision:
-- a rejected pair is never proposed again.
CREATE TABLE match_candidates (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons(id),
    target      TEXT NOT NULL,
    report_id   TEXT REFERENCES missing_reports(id),
    other_id    TEXT REFERENCES persons(id),
    score       REAL NOT NULL,
    probability REAL NOT NULL,
    label       TEXT NOT NULL,
    levels      TEXT NOT NULL,
    state       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (person_id, target)
);
CREATE INDEX match_candidates_state ON match_candidates(state, probability);
CREATE INDEX match_candidates_report ON match_candidates(report_id);

-- People who asked not to be matched publicly: matched only within the
-- station's own records, no public notice, no PFIF export.
CREATE TABLE match_consent (
    person_id  TEXT PRIMARY KEY REFERENCES persons(id),
    reason     TEXT NOT NULL DEFAULT '',
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL
);

-- Public notices (寻亲公告): only the public fields, as published.
CREATE TABLE notices (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    person_id    TEXT NOT NULL REFERENCES persons(id),
    stay_id      TEXT REFERENCES stays(id),
    state        TEXT NOT NULL,
    sex          TEXT NOT NULL,
    age_min      INTEGER NOT NULL DEFAULT 0,
    age_max      INTEGER NOT NULL DEFAULT 0,
    height_cm    INTEGER NOT NULL DEFAULT 0,
    accent       TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    found_on     TEXT NOT NULL,
    found_place  TEXT NOT NULL DEFAULT '',
    clothing     TEXT NOT NULL DEFAULT '',
    speech       TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    photo        TEXT NOT NULL DEFAULT '',
    published_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    by_name      TEXT NOT NULL
);
CREATE INDEX notices_state ON notices(state, published_at);
CREATE INDEX notices_person ON notices(person_id);

-- +goose Down
DROP TABLE notices;
DROP TABLE match_consent;
DROP TABLE match_candidates;
DROP TABLE report_updates;
DROP TABLE missing_reports;
