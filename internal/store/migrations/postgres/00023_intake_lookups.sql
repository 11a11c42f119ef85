-- The two reads of every help signal, by grid cell and cheap however many
-- incidents a city has on file.
-- The merge lookup finds open, pinned incidents near the signal: the open
-- incidents' index carries their coordinates, so only the rows inside the
-- signal's box are read from the table (not every open incident of nine
-- cells). No index holds last_signal_at, so a signal joining an incident
-- still updates no index entry.
-- The "already known" hint looks only at incidents whose outcome says
-- someone is known there: a small partial index of those.

-- +goose Up
DROP INDEX incidents_open_cell;
CREATE INDEX incidents_open_cell ON incidents(cell, lat, lng)
    WHERE state NOT IN ('closed', 'merged') AND loc_precision IN ('exact', 'placed');
CREATE INDEX incidents_known_cell ON incidents(cell, opened_at, lat, lng)
    WHERE outcome IN ('helped', 'refused', 'already_known', 'to_station');

-- +goose Down
DROP INDEX incidents_known_cell;
DROP INDEX incidents_open_cell;
CREATE INDEX incidents_open_cell ON incidents(cell) WHERE state NOT IN ('closed', 'merged');
