-- Tonight's patrol plan (issue 17): one weather forecast a night, entered
-- by staff or posted by a weather partner, and the index that finds a
-- hotspot's latest patrol visit without reading every visit.

-- +goose Up
-- night: the date of the evening (China time), YYYY-MM-DD; a later
-- forecast of the same night replaces the row (the audit log keeps each).
CREATE TABLE weather_forecasts (
    night      TEXT PRIMARY KEY,
    min_c      INTEGER NOT NULL,
    max_c      INTEGER NOT NULL,
    warning    TEXT NOT NULL DEFAULT '',
    level      TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX patrol_hotspots_hotspot ON patrol_hotspots(hotspot_id, visited_at);

-- +goose Down
DROP INDEX patrol_hotspots_hotspot;
DROP TABLE weather_forecasts;
