-- A person's candidates are read from both sides ("person_id = ? OR
-- other_id = ?"): person_id is served by UNIQUE (person_id, target), and
-- other_id needs its own index, or each lookup reads every proposal
-- (23.7k at 10^5 people).

-- +goose Up
CREATE INDEX match_candidates_other ON match_candidates(other_id) WHERE other_id IS NOT NULL;

-- +goose Down
DROP INDEX match_candidates_other;
