-- Fire safety (issue 19, DESIGN.md §3.8, RULES.md §2): the equipment
-- register and each item's log, the yearly full test, patrol checkpoints
-- and scans, inspections, hazards, the fire organisation's people,
-- training, drills and the control-room roster. Days are TEXT YYYY-MM-DD
-- (China time); lists of people are comma-separated ids.

-- +goose Up
CREATE TABLE fire_equipment (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    location        TEXT NOT NULL,
    ext_type        TEXT NOT NULL DEFAULT '',
    manufactured_on TEXT NOT NULL DEFAULT '',
    installed_on    TEXT NOT NULL DEFAULT '',
    last_service_on TEXT NOT NULL DEFAULT '',
    last_checked_on TEXT NOT NULL DEFAULT '',
    installed_count INTEGER NOT NULL DEFAULT 0,
    spare_count     INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);

CREATE TABLE fire_equipment_events (
    id           TEXT PRIMARY KEY,
    equipment_id TEXT NOT NULL REFERENCES fire_equipment(id),
    kind         TEXT NOT NULL,
    on_day       TEXT NOT NULL,
    count        INTEGER NOT NULL DEFAULT 0,
    ok           INTEGER NOT NULL DEFAULT 1,
    note         TEXT NOT NULL DEFAULT '',
    by_name      TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX fire_equipment_events_item ON fire_equipment_events(equipment_id, on_day);

CREATE TABLE fire_tests (
    id      TEXT PRIMARY KEY,
    on_day  TEXT NOT NULL,
    company TEXT NOT NULL,
    cert_no TEXT NOT NULL,
    passed  INTEGER NOT NULL,
    note    TEXT NOT NULL DEFAULT '',
    report  TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at      TEXT NOT NULL
);

CREATE TABLE fire_checkpoints (
    id     TEXT PRIMARY KEY,
    code   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE fire_scans (
    id            TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    round_id      TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL REFERENCES fire_checkpoints(id),
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    by_id         TEXT NOT NULL DEFAULT '',
    by_name       TEXT NOT NULL,
    night         INTEGER NOT NULL,
    problems      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    photo         TEXT NOT NULL DEFAULT '',
    out_of_seq    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fire_scans_at ON fire_scans(at);

CREATE TABLE fire_inspections (
    id          TEXT PRIMARY KEY,
    on_day      TEXT NOT NULL,
    inspector   TEXT NOT NULL,
    responsible TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    findings    INTEGER NOT NULL DEFAULT 0,
    by_name     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX fire_inspections_on ON fire_inspections(on_day);

CREATE TABLE fire_hazards (
    id            TEXT PRIMARY KEY,
    found_on      TEXT NOT NULL,
    source        TEXT NOT NULL,
    source_id     TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL,
    fixed_on_spot INTEGER NOT NULL DEFAULT 0,
    measure       TEXT NOT NULL DEFAULT '',
    deadline      TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    funds_fen     BIGINT NOT NULL DEFAULT 0,
    recheck_on    TEXT NOT NULL DEFAULT '',
    recheck_by    TEXT NOT NULL DEFAULT '',
    recheck_ok    INTEGER NOT NULL DEFAULT 0,
    recheck_note  TEXT NOT NULL DEFAULT '',
    closed        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX fire_hazards_open ON fire_hazards(closed, found_on);

CREATE TABLE fire_people (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    operator     INTEGER NOT NULL DEFAULT 0,
    micro        INTEGER NOT NULL DEFAULT 0,
    cert_no      TEXT NOT NULL DEFAULT '',
    cert_expires TEXT NOT NULL DEFAULT '',
    starts_on    TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE fire_trainings (
    id        TEXT PRIMARY KEY,
    on_day    TEXT NOT NULL,
    topic     TEXT NOT NULL,
    trainer   TEXT NOT NULL,
    attendees TEXT NOT NULL DEFAULT '',
    others    INTEGER NOT NULL DEFAULT 0,
    by_name   TEXT NOT NULL,
    at        TEXT NOT NULL
);

CREATE TABLE fire_drills (
    id              TEXT PRIMARY KEY,
    on_day          TEXT NOT NULL,
    scenario        TEXT NOT NULL,
    attendees       TEXT NOT NULL DEFAULT '',
    volunteers      INTEGER NOT NULL DEFAULT 0,
    volunteer_names TEXT NOT NULL DEFAULT '',
    evaluation      TEXT NOT NULL,
    by_name         TEXT NOT NULL,
    at              TEXT NOT NULL
);

CREATE TABLE fire_shifts (
    id     TEXT PRIMARY KEY,
    on_day TEXT NOT NULL,
    slot   TEXT NOT NULL,
    people TEXT NOT NULL DEFAULT '',
    UNIQUE (on_day, slot)
);

-- +goose Down
DROP TABLE fire_shifts;
DROP TABLE fire_drills;
DROP TABLE fire_trainings;
DROP TABLE fire_people;
DROP TABLE fire_hazards;
DROP TABLE fire_inspections;
DROP TABLE fire_scans;
DROP TABLE fire_checkpoints;
DROP TABLE fire_tests;
DROP TABLE fire_equipment_events;
DROP TABLE fire_equipment;
