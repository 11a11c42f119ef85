-- Volunteers and partners (社会力量, DESIGN.md §3.10): organisations,
-- volunteers, shifts with sign-up and attendance, money donations.

-- +goose Up
CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    agreement   TEXT NOT NULL DEFAULT '',
    agreed_to   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE volunteers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    org_id      TEXT REFERENCES organisations(id),
    phone       TEXT NOT NULL DEFAULT '',
    id_enc      TEXT NOT NULL DEFAULT '',
    skills      TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE vol_shifts (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    places      INTEGER NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX vol_shifts_starts ON vol_shifts(starts_at);

CREATE TABLE vol_signups (
    shift_id     TEXT NOT NULL REFERENCES vol_shifts(id),
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    signed_at    TIMESTAMPTZ NOT NULL,
    attended     INTEGER NOT NULL DEFAULT 0,
    minutes      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shift_id, volunteer_id)
);
CREATE INDEX vol_signups_volunteer ON vol_signups(volunteer_id);

CREATE TABLE money_donations (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    donor       TEXT NOT NULL,
    org_id      TEXT REFERENCES organisations(id),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen > 0),
    purpose     TEXT NOT NULL DEFAULT '',
    receipt_no  TEXT NOT NULL DEFAULT '',
    by_name     TEXT NOT NULL
);

-- +goose Down
DROP TABLE money_donations;
DROP TABLE vol_signups;
DROP TABLE vol_shifts;
DROP TABLE volunteers;
DROP TABLE organisations;
