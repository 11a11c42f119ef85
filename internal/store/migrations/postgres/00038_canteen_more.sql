-- The canteen's remaining records (issue 19, DESIGN.md §3.7): the pest
-- control log (防虫防鼠), the daily / weekly / monthly self-check lists
-- (日管控、周排查、月调度) with their items and completions, certificate
-- and invoice photos of a purchase, and stock on hand: the amount of an
-- accepted purchase (in thousandths of its unit) and what was issued from
-- it to the kitchen or discarded.

-- +goose Up
CREATE TABLE canteen_pest (
    id         TEXT PRIMARY KEY,
    day        TEXT NOT NULL,
    area       TEXT NOT NULL,
    measures   TEXT NOT NULL,
    findings   TEXT NOT NULL DEFAULT '',
    company    TEXT NOT NULL DEFAULT '',
    by_name    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX canteen_pest_day ON canteen_pest(day);

-- An item's wording never changes once stored: an edit retires it and
-- adds its successor, so past answers keep the wording they answered.
CREATE TABLE canteen_check_items (
    id         TEXT PRIMARY KEY,
    list       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    replaces   TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX canteen_check_items_list ON canteen_check_items(list, active, seq);

CREATE TABLE canteen_selfchecks (
    id       TEXT PRIMARY KEY,
    list     TEXT NOT NULL,
    period   TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    by_name  TEXT NOT NULL,
    problems INTEGER NOT NULL
);
CREATE UNIQUE INDEX canteen_selfchecks_period ON canteen_selfchecks(list, period);

CREATE TABLE canteen_selfcheck_answers (
    check_id TEXT NOT NULL REFERENCES canteen_selfchecks(id),
    seq      INTEGER NOT NULL,
    item_id  TEXT NOT NULL REFERENCES canteen_check_items(id),
    ok       INTEGER NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (check_id, seq)
);

CREATE TABLE canteen_purchase_files (
    id          TEXT PRIMARY KEY,
    purchase_id TEXT NOT NULL REFERENCES canteen_purchases(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    by_name     TEXT NOT NULL
);
CREATE INDEX canteen_purchase_files_purchase ON canteen_purchase_files(purchase_id, at);

ALTER TABLE canteen_purchases ADD COLUMN qty_milli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE canteen_purchases ADD COLUMN qty_unit TEXT NOT NULL DEFAULT '';
ALTER TABLE canteen_purchases ADD COLUMN issued_milli INTEGER NOT NULL DEFAULT 0;
-- Stock on hand: the accepted batches not used up, few at any time.
CREATE INDEX canteen_purchases_on_hand ON canteen_purchases(item, expires_on) WHERE accepted = 1 AND qty_milli > issued_milli;

CREATE TABLE canteen_issues (
    id           TEXT PRIMARY KEY,
    purchase_id  TEXT NOT NULL REFERENCES canteen_purchases(id),
    kind         TEXT NOT NULL,
    qty_milli    INTEGER NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    by_name      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    out_of_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX canteen_issues_at ON canteen_issues(at);
CREATE INDEX canteen_issues_purchase ON canteen_issues(purchase_id);

-- +goose Down
DROP TABLE canteen_issues;
DROP INDEX canteen_purchases_on_hand;
ALTER TABLE canteen_purchases DROP COLUMN issued_milli;
ALTER TABLE canteen_purchases DROP COLUMN qty_unit;
ALTER TABLE canteen_purchases DROP COLUMN qty_milli;
DROP TABLE canteen_purchase_files;
DROP TABLE canteen_selfcheck_answers;
DROP TABLE canteen_selfchecks;
DROP TABLE canteen_check_items;
DROP TABLE canteen_pest;
