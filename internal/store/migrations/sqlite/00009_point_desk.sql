-- Rescue-point desks, campaigns, the ration ledger and volunteers' own
-- sign-up links (DESIGN.md §3.3, §3.10, §3.11): a liaison account bound to
-- its point and the point's log;
-- campaigns that switch seasonal points on; handout rations counted per
-- person, item and period in one guarded row; encounter handouts that
-- could not be booked against stock, kept for staff to settle.

-- +goose Up
ALTER TABLE users ADD COLUMN point_id TEXT NOT NULL DEFAULT '';

CREATE TABLE point_log (
    id          TEXT PRIMARY KEY,
    point_id    TEXT NOT NULL REFERENCES rescue_points(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    people      INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    signal_ref  TEXT NOT NULL DEFAULT '',
    by_name     TEXT NOT NULL
);
CREATE INDEX point_log_point ON point_log(point_id, at);

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    started_by  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);

ALTER TABLE rescue_points ADD COLUMN by_campaign INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supply_items ADD COLUMN campaign_qty INTEGER NOT NULL DEFAULT 0;

-- What one person has received of one item in one period ("day:2026-11-29",
-- "campaign:<id>"); a handout raises it in the same transaction as the
-- stock, guarded by the limit, so two handouts at the same instant cannot
-- both pass it.
CREATE TABLE supply_rations (
    person_key  TEXT NOT NULL,
    item_id     TEXT NOT NULL REFERENCES supply_items(id),
    period      TEXT NOT NULL,
    qty         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_key, item_id, period)
);

CREATE TABLE supply_unbooked (
    id           TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    team_id      TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    item         TEXT NOT NULL,
    qty          REAL NOT NULL,
    unit         TEXT NOT NULL DEFAULT '',
    problem      TEXT NOT NULL,
    settled_at   TEXT,
    settled_by   TEXT NOT NULL DEFAULT '',
    settlement   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supply_unbooked_open ON supply_unbooked(settled_at, at);

-- A volunteer's own sign-up link: only its SHA-256 is kept.
ALTER TABLE volunteers ADD COLUMN link_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX volunteers_link ON volunteers(link_hash);

-- +goose Down
DROP INDEX volunteers_link;
ALTER TABLE volunteers DROP COLUMN link_hash;
DROP TABLE supply_unbooked;
DROP TABLE supply_rations;
ALTER TABLE supply_items DROP COLUMN campaign_qty;
ALTER TABLE rescue_points DROP COLUMN by_campaign;
DROP TABLE campaigns;
DROP TABLE point_log;
ALTER TABLE users DROP COLUMN point_id;
