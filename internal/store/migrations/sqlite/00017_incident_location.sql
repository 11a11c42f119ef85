-- How well an incident's place is known. A report with only a typed
-- address is placed by the gazetteer (approximately: a named place, a road
-- crossing, a road, a district) or, when nothing matches, is unlocated
-- ('none', shown as 位置待定) until a dispatcher places its pin. Before this,
-- an address-only report was stored at 0,0: those become unlocated.

-- +goose Up
ALTER TABLE incidents ADD COLUMN loc_precision TEXT NOT NULL DEFAULT 'exact';
ALTER TABLE incidents ADD COLUMN loc_place TEXT NOT NULL DEFAULT '';
UPDATE incidents SET loc_precision = 'none' WHERE lat = 0 AND lng = 0;

-- +goose Down
ALTER TABLE incidents DROP COLUMN loc_place;
ALTER TABLE incidents DROP COLUMN loc_precision;
