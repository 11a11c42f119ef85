-- 体貌特征 (scars, marks, build) apart from clothing: a family's report
-- and a public notice say them in a field of their own, and matching
-- compares them with the marks recorded for a person in care.

-- +goose Up
ALTER TABLE missing_reports ADD COLUMN features TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN features TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notices DROP COLUMN features;
ALTER TABLE missing_reports DROP COLUMN features;
