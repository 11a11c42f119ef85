-- Help signals, incidents, merge/split history, routing catalogue,
-- partners and the outbound notification outbox.

-- +goose Up
CREATE TABLE routing_rules (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    district      TEXT NOT NULL DEFAULT '',
    polygon       TEXT NOT NULL DEFAULT '',
    service_codes TEXT NOT NULL DEFAULT '',
    priority      INTEGER NOT NULL DEFAULT 100
);

CREATE TABLE incidents (
    id             TEXT PRIMARY KEY,
    ref            TEXT NOT NULL UNIQUE,
    service_code   TEXT NOT NULL,
    state          TEXT NOT NULL,
    lat            REAL NOT NULL DEFAULT 0,
    lng            REAL NOT NULL DEFAULT 0,
    cell           INTEGER NOT NULL DEFAULT 0,
    address        TEXT NOT NULL DEFAULT '',
    district       TEXT NOT NULL DEFAULT '',
    department_id  TEXT REFERENCES departments(id),
    rule_id        TEXT,
    opened_at      TEXT NOT NULL,
    last_signal_at TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    closed_at      TEXT,
    outcome        TEXT NOT NULL DEFAULT '',
    status_notes   TEXT NOT NULL DEFAULT '',
    merged_into    TEXT,
    known          TEXT NOT NULL DEFAULT '',
    signal_count   INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL
);
-- No index holds last_signal_at, so a signal joining an incident (the most
-- frequent write) updates no index entry. Open incidents are few: the merge
-- lookup reads a partial index of them by grid cell.
CREATE INDEX incidents_state ON incidents(state);
CREATE INDEX incidents_open_cell ON incidents(cell) WHERE state NOT IN ('closed', 'merged');
CREATE INDEX incidents_cell_opened ON incidents(cell, opened_at);

CREATE TABLE signals (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    service_code TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    lat          REAL NOT NULL DEFAULT 0,
    lng          REAL NOT NULL DEFAULT 0,
    address      TEXT NOT NULL DEFAULT '',
    photo        TEXT NOT NULL DEFAULT '',
    phone_enc    TEXT NOT NULL DEFAULT '',
    reporter     TEXT NOT NULL DEFAULT '',
    attributes   TEXT NOT NULL DEFAULT '{}',
    reported_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    received_by  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX signals_channel_external ON signals(channel, external_id);
CREATE INDEX signals_incident ON signals(incident_id);
CREATE INDEX signals_received ON signals(received_at);

CREATE TABLE incident_ops (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    from_id    TEXT NOT NULL REFERENCES incidents(id),
    to_id      TEXT NOT NULL REFERENCES incidents(id),
    signal_ids TEXT NOT NULL,
    prev_state TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at         TEXT NOT NULL,
    undone_at  TEXT
);
CREATE INDEX incident_ops_from ON incident_ops(from_id);
CREATE INDEX incident_ops_to ON incident_ops(to_id);

CREATE TABLE partners (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    api_key_id  TEXT REFERENCES api_keys(id),
    webhook_url TEXT NOT NULL DEFAULT '',
    secret_enc  TEXT NOT NULL DEFAULT '',
    mapping     TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    partner      TEXT NOT NULL,
    signal_id    TEXT NOT NULL REFERENCES signals(id),
    event        TEXT NOT NULL,
    body         TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    delivered_at TEXT,
    dead_at      TEXT
);
CREATE INDEX outbox_due ON outbox(delivered_at, dead_at, next_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE partners;
DROP TABLE incident_ops;
DROP TABLE signals;
DROP TABLE incidents;
DROP TABLE routing_rules;
