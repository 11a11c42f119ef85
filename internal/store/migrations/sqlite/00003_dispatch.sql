-- Dispatch and street outreach: the live event log, leases for work done
-- once per cluster, teams, hotspots, assignments, incident notes, patrols
-- and encounters.

-- +goose Up
-- Every change the board shows, in commit order: the SSE stream and its
-- resume (Last-Event-ID) read this table; rows older than a day are pruned.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    topic     TEXT NOT NULL,
    record_id TEXT NOT NULL
);

-- Scheduled work that one node of a cluster does at a time.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TEXT NOT NULL
);

CREATE TABLE teams (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    department_id TEXT REFERENCES departments(id),
    vehicles      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'off_duty',
    lat           REAL NOT NULL DEFAULT 0,
    lng           REAL NOT NULL DEFAULT 0,
    position_at   TEXT,
    incident_id   TEXT REFERENCES incidents(id),
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

-- Rosters: who is on which team when.
CREATE TABLE roster_shifts (
    id        TEXT PRIMARY KEY,
    team_id   TEXT NOT NULL REFERENCES teams(id),
    starts_at TEXT NOT NULL,
    ends_at   TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX roster_shifts_team ON roster_shifts(team_id, starts_at);

CREATE TABLE hotspots (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    district   TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    risk_notes TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

ALTER TABLE incidents ADD COLUMN team_id TEXT REFERENCES teams(id);
ALTER TABLE incidents ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE assignments (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    team_id     TEXT NOT NULL REFERENCES teams(id),
    state       TEXT NOT NULL,
    distance_m  REAL NOT NULL DEFAULT 0,
    eta_s       INTEGER NOT NULL DEFAULT 0,
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    ended_at    TEXT
);
CREATE INDEX assignments_incident ON assignments(incident_id);
CREATE INDEX assignments_team ON assignments(team_id, state);

CREATE TABLE incident_notes (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes(incident_id, at);

CREATE TABLE patrols (
    id            TEXT PRIMARY KEY,
    team_id       TEXT REFERENCES teams(id),
    department_id TEXT REFERENCES departments(id),
    kind          TEXT NOT NULL,
    planned_at    TEXT,
    started_at    TEXT,
    ended_at      TEXT,
    night         INTEGER NOT NULL DEFAULT 0,
    staff_count   INTEGER NOT NULL DEFAULT 0,
    vehicle_trips INTEGER NOT NULL DEFAULT 0,
    track         TEXT NOT NULL DEFAULT '',
    distance_m    REAL NOT NULL DEFAULT 0,
    notes         TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL
);
CREATE INDEX patrols_started ON patrols(started_at);

CREATE TABLE patrol_hotspots (
    patrol_id  TEXT NOT NULL REFERENCES patrols(id),
    hotspot_id TEXT NOT NULL REFERENCES hotspots(id),
    visited_at TEXT NOT NULL,
    PRIMARY KEY (patrol_id, hotspot_id)
);
CREATE INDEX patrol_hotspots_visited ON patrol_hotspots(visited_at);

-- An encounter's id is made by the patrol app (a UUID), so a replayed
-- sync finds the row it already made.
CREATE TABLE encounters (
    id          TEXT PRIMARY KEY,
    incident_id TEXT REFERENCES incidents(id),
    patrol_id   TEXT REFERENCES patrols(id),
    team_id     TEXT REFERENCES teams(id),
    at          TEXT NOT NULL,
    lat         REAL NOT NULL DEFAULT 0,
    lng         REAL NOT NULL DEFAULT 0,
    name_enc    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    photo       TEXT NOT NULL DEFAULT '',
    states      TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    supplies    TEXT NOT NULL DEFAULT '[]',
    notes       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);
CREATE INDEX encounters_incident ON encounters(incident_id);
CREATE INDEX encounters_at ON encounters(at);

-- +goose Down
DROP TABLE encounters;
DROP TABLE patrol_hotspots;
DROP TABLE patrols;
DROP TABLE incident_notes;
DROP TABLE assignments;
ALTER TABLE incidents DROP COLUMN escalation;
ALTER TABLE incidents DROP COLUMN team_id;
DROP TABLE hotspots;
DROP TABLE roster_shifts;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE leases;
DROP TABLE events;
