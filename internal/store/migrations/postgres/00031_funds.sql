-- Funds (经费管理, DESIGN.md §3.9): budgets per institution and year, their
-- lines, adjustments, expenses through request → approve → pay, and the
-- append-only ledger every yuan paid or refunded is written to. Money is
-- integer fen.

-- +goose Up
CREATE TABLE budgets (
    id            TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    year          INTEGER NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    UNIQUE (department_id, year)
);

-- amount_fen is the line's budget (its first amount and every adjustment
-- since) and spent_fen what the ledger has paid from it less refunds: both
-- kept in the same transaction as the rows they sum. A hard-capped line
-- never pays past its amount.
CREATE TABLE budget_lines (
    id         TEXT PRIMARY KEY,
    budget_id  TEXT NOT NULL REFERENCES budgets(id),
    code       TEXT NOT NULL,
    grp        TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    spent_fen  INTEGER NOT NULL DEFAULT 0,
    hard_cap   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (budget_id, code),
    CHECK (hard_cap = 0 OR spent_fen <= amount_fen)
);

-- The first amount of a line is its first adjustment (kind 'initial').
CREATE TABLE budget_adjustments (
    id          TEXT PRIMARY KEY,
    line_id     TEXT NOT NULL REFERENCES budget_lines(id),
    at          TIMESTAMPTZ NOT NULL,
    kind        TEXT NOT NULL,
    delta_fen   INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    by_id       TEXT NOT NULL,
    by_name     TEXT NOT NULL
);
CREATE INDEX budget_adjustments_line ON budget_adjustments(line_id, at);

CREATE TABLE expenses (
    id            TEXT PRIMARY KEY,
    ref           TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL DEFAULT 'general',
    line_id       TEXT NOT NULL REFERENCES budget_lines(id),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    purpose       TEXT NOT NULL,
    payee         TEXT NOT NULL DEFAULT '',
    person_id     TEXT REFERENCES persons(id),
    stay_id       TEXT REFERENCES stays(id),
    campaign_id   TEXT REFERENCES campaigns(id),
    voucher       TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,
    requested_id  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_id    TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '',
    refusal       TEXT NOT NULL DEFAULT '',
    paid_at       TIMESTAMPTZ,
    paid_id       TEXT NOT NULL DEFAULT '',
    paid_by       TEXT NOT NULL DEFAULT '',
    refunded_fen  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX expenses_state ON expenses(state, requested_at);
CREATE INDEX expenses_person ON expenses(person_id);
CREATE INDEX expenses_line ON expenses(line_id);

CREATE TABLE ledger (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    line_id     TEXT NOT NULL REFERENCES budget_lines(id),
    expense_id  TEXT REFERENCES expenses(id),
    kind        TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen <> 0),
    person_id   TEXT REFERENCES persons(id),
    note        TEXT NOT NULL DEFAULT '',
    by_id       TEXT NOT NULL,
    by_name     TEXT NOT NULL
);
CREATE INDEX ledger_line ON ledger(line_id, at);
CREATE INDEX ledger_expense ON ledger(expense_id);

-- +goose StatementBegin
CREATE FUNCTION funds_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION funds_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION funds_append_only();
CREATE TRIGGER budget_adjustments_no_change BEFORE UPDATE OR DELETE ON budget_adjustments
    FOR EACH ROW EXECUTE FUNCTION funds_append_only();
CREATE TRIGGER budget_adjustments_no_truncate BEFORE TRUNCATE ON budget_adjustments
    FOR EACH STATEMENT EXECUTE FUNCTION funds_append_only();

-- +goose Down
DROP TABLE ledger;
DROP TABLE expenses;
DROP TABLE budget_adjustments;
DROP TABLE budget_lines;
DROP TABLE budgets;
DROP FUNCTION funds_append_only();
