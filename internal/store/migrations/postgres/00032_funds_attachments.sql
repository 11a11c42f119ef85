-- Invoices and vouchers attached to an expense (funds, DESIGN.md §3.9):
-- photos, cleaned like every upload (internal/photo), kept in the files
-- store; attachments are added, never replaced.

-- +goose Up
CREATE TABLE expense_files (
    id         TEXT PRIMARY KEY,
    expense_id TEXT NOT NULL REFERENCES expenses(id),
    name       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    by_id      TEXT NOT NULL,
    by_name    TEXT NOT NULL
);
CREATE INDEX expense_files_expense ON expense_files(expense_id, at);

-- +goose Down
DROP TABLE expense_files;
