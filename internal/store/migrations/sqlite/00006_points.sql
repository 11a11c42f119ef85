-- Rescue points (救助点, DESIGN.md §3.3): the station and the temporary
-- points, their hours, seasons and services.

-- +goose Up
CREATE TABLE rescue_points (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    address       TEXT NOT NULL,
    lat           REAL NOT NULL,
    lng           REAL NOT NULL,
    hours         TEXT NOT NULL,
    capacity      INTEGER NOT NULL DEFAULT 0,
    liaison       TEXT NOT NULL DEFAULT '',
    liaison_phone TEXT NOT NULL DEFAULT '',
    services      TEXT NOT NULL DEFAULT '',
    season_from   TEXT NOT NULL DEFAULT '',
    season_to     TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    directions    TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL
);
CREATE INDEX rescue_points_kind ON rescue_points(kind, active);

-- +goose Down
DROP TABLE rescue_points;
