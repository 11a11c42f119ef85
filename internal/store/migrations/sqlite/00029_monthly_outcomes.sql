-- The monthly statistics report (救助管理统计月报) and the outcome
-- measures (DESIGN.md §3.11, issue 17): submitted months kept as frozen
-- snapshots, one row per version; the leader's target per outcome
-- measure; when a person was identified; and the indexes that make the
-- reports cost with their period, not with the station's history
-- (stays by exit time are indexed since 00016).

-- +goose Up
CREATE TABLE monthly_reports (
    id            TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    month         TEXT NOT NULL,            -- YYYY-MM
    version       INTEGER NOT NULL,         -- 1, then 2 for the first correction …
    figures       TEXT NOT NULL,            -- the figures as submitted (JSON)
    note          TEXT NOT NULL DEFAULT '', -- why a correction was made
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    UNIQUE (department_id, month, version)
);

CREATE TABLE outcome_targets (
    measure TEXT PRIMARY KEY,
    target  INTEGER NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);

-- When a person was first identified: time from admission to
-- identification. Set by the database when identified turns on, so every
-- path that identifies someone (the record's edit, a confirmed family
-- match) stamps it.
ALTER TABLE persons ADD COLUMN identified_at TEXT;
-- +goose StatementBegin
CREATE TRIGGER persons_identified_at AFTER UPDATE OF identified ON persons
WHEN NEW.identified = 1 AND OLD.identified = 0 AND NEW.identified_at IS NULL
BEGIN
    UPDATE persons SET identified_at = NEW.updated_at WHERE id = NEW.id;
END;
-- +goose StatementEnd

CREATE INDEX stays_person_arrived ON stays(person_id, arrived_at);
CREATE INDEX health_checks_stay ON health_checks(stay_id) WHERE stay_id IS NOT NULL;
CREATE INDEX referrals_stay ON referrals(stay_id) WHERE stay_id IS NOT NULL;

-- +goose Down
DROP INDEX referrals_stay;
DROP INDEX health_checks_stay;
DROP INDEX stays_person_arrived;
DROP TRIGGER persons_identified_at;
ALTER TABLE persons DROP COLUMN identified_at;
DROP TABLE outcome_targets;
DROP TABLE monthly_reports;
