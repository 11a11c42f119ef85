-- Supplies (物资, DESIGN.md §3.3): the item catalogue, stock locations
-- (the station's store, rescue points, patrol vehicles), stock on hand and
-- every movement that made it.

-- +goose Up
CREATE TABLE supply_items (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    ration_qty    INTEGER NOT NULL DEFAULT 0,
    ration_period TEXT NOT NULL DEFAULT 'day',
    active        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE stock_locations (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL UNIQUE,
    point_id  TEXT REFERENCES rescue_points(id),
    team_id   TEXT REFERENCES teams(id)
);

-- Stock on hand: always the sum of the location's movements of the item,
-- kept in the same transaction as each movement; never negative.
CREATE TABLE stock_levels (
    location_id   TEXT NOT NULL REFERENCES stock_locations(id),
    item_id       TEXT NOT NULL REFERENCES supply_items(id),
    qty           INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),
    low_threshold INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, item_id)
);

CREATE TABLE stock_movements (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    item_id     TEXT NOT NULL REFERENCES supply_items(id),
    location_id TEXT NOT NULL REFERENCES stock_locations(id),
    qty         INTEGER NOT NULL,
    other_id    TEXT REFERENCES stock_locations(id),
    person_key  TEXT NOT NULL DEFAULT '',
    donor       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    transfer_id TEXT NOT NULL DEFAULT '',
    by_name     TEXT NOT NULL
);
CREATE INDEX stock_movements_location ON stock_movements(location_id, item_id, at);
CREATE INDEX stock_movements_person ON stock_movements(person_key, item_id, at);

-- +goose Down
DROP TABLE stock_movements;
DROP TABLE stock_levels;
DROP TABLE stock_locations;
DROP TABLE supply_items;
