-- Station case management and health (DESIGN.md §3.4, §3.5): people,
-- their stays from admission to exit, belongings, care notes, statutory
-- deadlines done, identity merges, health checks, medications and
-- green-channel referrals.

-- +goose Up
-- One row per person record. Records are linked, never deleted: a merged
-- record points at the identity it was merged into.
CREATE TABLE persons (
    id            TEXT PRIMARY KEY,
    ref           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    aliases       TEXT NOT NULL DEFAULT '',
    sex           TEXT NOT NULL DEFAULT 'unknown',
    birth_date    TEXT NOT NULL DEFAULT '',
    age_min       INTEGER NOT NULL DEFAULT 0,
    age_max       INTEGER NOT NULL DEFAULT 0,
    height_cm     INTEGER NOT NULL DEFAULT 0,
    ethnicity     TEXT NOT NULL DEFAULT '',
    native_place  TEXT NOT NULL DEFAULT '',
    hukou         TEXT NOT NULL DEFAULT '',
    dialect       TEXT NOT NULL DEFAULT '',
    id_enc        TEXT NOT NULL DEFAULT '',
    id_birth      TEXT NOT NULL DEFAULT '',
    id_region     TEXT NOT NULL DEFAULT '',
    marks         TEXT NOT NULL DEFAULT '',
    mental        TEXT NOT NULL DEFAULT 'unknown',
    flags         TEXT NOT NULL DEFAULT '',
    identified    INTEGER NOT NULL DEFAULT 0,
    merged_into   TEXT REFERENCES persons(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX persons_id_birth ON persons(id_birth);
CREATE INDEX persons_name ON persons(name);
CREATE INDEX persons_merged ON persons(merged_into);

CREATE TABLE person_contacts (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons(id),
    relation   TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    phone_enc  TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX person_contacts_person ON person_contacts(person_id);

CREATE TABLE person_merges (
    id          TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL REFERENCES persons(id),
    merged_id   TEXT NOT NULL REFERENCES persons(id),
    actor_name  TEXT NOT NULL,
    at          TEXT NOT NULL,
    undone_at   TEXT
);

-- Pairs staff said are different people: never suggested or merged again.
CREATE TABLE person_distinct (
    a_id       TEXT NOT NULL REFERENCES persons(id),
    b_id       TEXT NOT NULL REFERENCES persons(id),
    actor_name TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (a_id, b_id)
);

CREATE TABLE stays (
    id              TEXT PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    person_id       TEXT NOT NULL REFERENCES persons(id),
    state           TEXT NOT NULL,
    arrived_at      TEXT NOT NULL,
    entered_at      TEXT NOT NULL,
    entered_by      TEXT NOT NULL,
    source          TEXT NOT NULL,
    incident_id     TEXT REFERENCES incidents(id),
    encounter_id    TEXT REFERENCES encounters(id),
    unidentified    INTEGER NOT NULL DEFAULT 0,
    adult_review    INTEGER NOT NULL DEFAULT 0,
    form            TEXT NOT NULL DEFAULT '{}',
    room            TEXT NOT NULL DEFAULT '',
    bed             TEXT NOT NULL DEFAULT '',
    exit_kind       TEXT NOT NULL DEFAULT '',
    exited_at       TEXT,
    exit            TEXT NOT NULL DEFAULT '{}',
    exited_by       TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX stays_one_open ON stays(person_id) WHERE state = 'open';
CREATE INDEX stays_person ON stays(person_id);
CREATE INDEX stays_state ON stays(state, arrived_at);
CREATE INDEX stays_arrived ON stays(arrived_at);

CREATE TABLE belongings (
    id            TEXT PRIMARY KEY,
    stay_id       TEXT NOT NULL REFERENCES stays(id),
    item          TEXT NOT NULL,
    qty           INTEGER NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    photo         TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    signed_in_by  TEXT NOT NULL,
    person_signed INTEGER NOT NULL DEFAULT 0,
    signed_in_at  TEXT NOT NULL,
    returned_qty  INTEGER,
    returned_at   TEXT,
    return_note   TEXT NOT NULL DEFAULT '',
    returned_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX belongings_stay ON belongings(stay_id);

CREATE TABLE care_notes (
    id          TEXT PRIMARY KEY,
    stay_id     TEXT NOT NULL REFERENCES stays(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    author_name TEXT NOT NULL
);
CREATE INDEX care_notes_stay ON care_notes(stay_id, at);

-- Statutory tasks done (寻亲 notice published, DNA requested …).
CREATE TABLE case_tasks (
    stay_id  TEXT NOT NULL REFERENCES stays(id),
    rule     TEXT NOT NULL,
    done_at  TEXT NOT NULL,
    done_by  TEXT NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (stay_id, rule)
);

CREATE TABLE health_checks (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons(id),
    stay_id    TEXT REFERENCES stays(id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    urgent     INTEGER NOT NULL DEFAULT 0,
    by_name    TEXT NOT NULL
);
CREATE INDEX health_checks_person ON health_checks(person_id, at);

CREATE TABLE medications (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons(id),
    name       TEXT NOT NULL,
    dose       TEXT NOT NULL DEFAULT '',
    times      TEXT NOT NULL DEFAULT '',
    started_on TEXT NOT NULL,
    ended_on   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    by_name    TEXT NOT NULL
);
CREATE INDEX medications_person ON medications(person_id);

CREATE TABLE referrals (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES persons(id),
    stay_id        TEXT REFERENCES stays(id),
    hospital_id    TEXT NOT NULL REFERENCES departments(id),
    reason         TEXT NOT NULL,
    urgent         INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL,
    referred_at    TEXT NOT NULL,
    transferred_at TEXT,
    admitted_at    TEXT,
    discharged_at  TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL,
    by_name        TEXT NOT NULL
);
CREATE INDEX referrals_hospital ON referrals(hospital_id, state);
CREATE INDEX referrals_person ON referrals(person_id);

CREATE TABLE referral_notes (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_dept TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_notes_referral ON referral_notes(referral_id, at);

-- +goose Down
DROP TABLE referral_notes;
DROP TABLE referrals;
DROP TABLE medications;
DROP TABLE health_checks;
DROP TABLE case_tasks;
DROP TABLE care_notes;
DROP TABLE belongings;
DROP TABLE stays;
DROP TABLE person_distinct;
DROP TABLE person_merges;
DROP TABLE person_contacts;
DROP TABLE persons;
