-- Canteen food safety (issue 19, DESIGN.md §3.7, RULES.md §1): suppliers,
-- purchases with incoming inspection, cold units and their temperature
-- log, meals with dishes and retained samples (留样), food handlers and
-- their morning checks, tableware disinfection. Days are TEXT YYYY-MM-DD
-- (China time).

-- +goose Up
CREATE TABLE canteen_suppliers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    licence_no      TEXT NOT NULL,
    licence_expires TEXT NOT NULL,
    contact         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);

CREATE TABLE canteen_purchases (
    id            TEXT PRIMARY KEY,
    received_on   TEXT NOT NULL,
    supplier_id   TEXT NOT NULL REFERENCES canteen_suppliers(id),
    item          TEXT NOT NULL,
    spec          TEXT NOT NULL DEFAULT '',
    quantity      TEXT NOT NULL,
    batch         TEXT NOT NULL DEFAULT '',
    produced_on   TEXT NOT NULL DEFAULT '',
    shelf_days    INTEGER NOT NULL DEFAULT 0,
    expires_on    TEXT NOT NULL DEFAULT '',
    storage       TEXT NOT NULL,
    receive_temp  REAL,
    inspector     TEXT NOT NULL,
    accepted      INTEGER NOT NULL,
    reject_reason TEXT NOT NULL DEFAULT '',
    override      TEXT NOT NULL DEFAULT '',
    retain_until  TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX canteen_purchases_received ON canteen_purchases(received_on);

CREATE TABLE canteen_units (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    for_samples INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE canteen_readings (
    id           TEXT PRIMARY KEY,
    unit_id      TEXT NOT NULL REFERENCES canteen_units(id),
    at           TEXT NOT NULL,
    temp_c       REAL NOT NULL,
    source       TEXT NOT NULL,
    by_name      TEXT NOT NULL,
    out_of_range INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX canteen_readings_at ON canteen_readings(at);

CREATE TABLE canteen_meals (
    id         TEXT PRIMARY KEY,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    served     INTEGER NOT NULL,
    in_care    INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX canteen_meals_day ON canteen_meals(day);

CREATE TABLE canteen_dishes (
    id      TEXT PRIMARY KEY,
    meal_id TEXT NOT NULL REFERENCES canteen_meals(id),
    seq     INTEGER NOT NULL,
    name    TEXT NOT NULL
);
CREATE INDEX canteen_dishes_meal ON canteen_dishes(meal_id, seq);

-- One sample a dish; kept rows (discarded_at NULL) are few: two days' worth.
CREATE TABLE canteen_samples (
    id            TEXT PRIMARY KEY,
    dish_id       TEXT NOT NULL UNIQUE REFERENCES canteen_dishes(id),
    grams         INTEGER NOT NULL,
    sealed        INTEGER NOT NULL,
    sampled_at    TEXT NOT NULL,
    sampler       TEXT NOT NULL,
    reviewer      TEXT NOT NULL,
    unit_id       TEXT NOT NULL REFERENCES canteen_units(id),
    discard_after TEXT NOT NULL,
    discarded_at  TEXT,
    discarded_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX canteen_samples_kept ON canteen_samples(discard_after) WHERE discarded_at IS NULL;

CREATE TABLE canteen_handlers (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    cert_no      TEXT NOT NULL,
    cert_expires TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE canteen_checks (
    id         TEXT PRIMARY KEY,
    handler_id TEXT NOT NULL REFERENCES canteen_handlers(id),
    day        TEXT NOT NULL,
    symptoms   TEXT NOT NULL DEFAULT '',
    fit        INTEGER NOT NULL,
    checked_by TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE UNIQUE INDEX canteen_checks_day ON canteen_checks(day, handler_id);

CREATE TABLE canteen_disinfections (
    id      TEXT PRIMARY KEY,
    at      TEXT NOT NULL,
    method  TEXT NOT NULL,
    temp_c  REAL NOT NULL DEFAULT 0,
    mg_l    REAL NOT NULL DEFAULT 0,
    seconds INTEGER NOT NULL,
    items   TEXT NOT NULL DEFAULT '',
    by_name TEXT NOT NULL,
    below   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX canteen_disinfections_at ON canteen_disinfections(at);

-- +goose Down
DROP TABLE canteen_disinfections;
DROP TABLE canteen_checks;
DROP TABLE canteen_handlers;
DROP TABLE canteen_samples;
DROP TABLE canteen_dishes;
DROP TABLE canteen_meals;
DROP TABLE canteen_readings;
DROP TABLE canteen_units;
DROP TABLE canteen_purchases;
DROP TABLE canteen_suppliers;
