-- Social assistance (社会救助衔接, DESIGN.md §3.9, RULES.md §3): referrals
-- of people to 低保 / 特困 / 临时救助 / 医疗救助 with their screening,
-- evidence and answer; the linked duties of the 2015 rules (extension of
-- a long stay, 落户, enrolment) marked done; money donations restricted
-- to a purpose and what was spent from them; hospital bills of
-- green-channel referrals with the share claimed from 医疗救助.

-- +goose Up
-- due_at is the answer deadline (working days after sent_at); answered_at
-- the first answer (accepted or refused), which ends the reminder.
CREATE TABLE assistance_referrals (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    person_id    TEXT NOT NULL REFERENCES persons(id),
    stay_id      TEXT REFERENCES stays(id),
    programme    TEXT NOT NULL,
    region       TEXT NOT NULL DEFAULT '',
    screening    TEXT NOT NULL,
    eligible     INTEGER NOT NULL,
    consent      INTEGER NOT NULL CHECK (consent = 1),
    office       TEXT NOT NULL CHECK (office <> ''),
    sent_at      TEXT NOT NULL,
    sent_id      TEXT NOT NULL,
    sent_by      TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    state        TEXT NOT NULL,
    answered_at  TEXT,
    decided_at   TEXT,
    amount_fen   INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    start_on     TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    answered_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assistance_referrals_person ON assistance_referrals(person_id, sent_at);
CREATE INDEX assistance_referrals_due ON assistance_referrals(state, due_at);

CREATE TABLE assistance_files (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES assistance_referrals(id),
    name        TEXT NOT NULL,
    at          TEXT NOT NULL,
    by_id       TEXT NOT NULL,
    by_name     TEXT NOT NULL
);
CREATE INDEX assistance_files_referral ON assistance_files(referral_id, at);

-- A linked duty of a stay done (kind extension, hukou, enrolment).
CREATE TABLE stay_duties_done (
    stay_id TEXT NOT NULL REFERENCES stays(id),
    kind    TEXT NOT NULL,
    done_at TEXT NOT NULL,
    by_name TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (stay_id, kind)
);
CREATE INDEX stay_duties_done_kind ON stay_duties_done(kind, done_at);

-- A donation with a purpose is restricted income: spent only on expenses
-- of that budget line, never past what it brought (the CHECK holds it
-- under concurrent payments too).
CREATE TABLE restricted_funds (
    donation_id TEXT PRIMARY KEY REFERENCES money_donations(id),
    purpose     TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    spent_fen   INTEGER NOT NULL DEFAULT 0,
    CHECK (spent_fen >= 0 AND spent_fen <= amount_fen)
);
CREATE INDEX restricted_funds_purpose ON restricted_funds(purpose);

-- What an expense is paid from or tied to beyond its line: a restricted
-- donation, a green-channel referral whose hospital bill it is, and the
-- share of that bill claimed from 医疗救助.
CREATE TABLE expense_links (
    expense_id         TEXT PRIMARY KEY REFERENCES expenses(id),
    donation_id        TEXT REFERENCES restricted_funds(donation_id),
    health_referral_id TEXT REFERENCES referrals(id),
    medical_aid_fen    INTEGER NOT NULL DEFAULT 0 CHECK (medical_aid_fen >= 0)
);
CREATE INDEX expense_links_donation ON expense_links(donation_id);
CREATE INDEX expense_links_health ON expense_links(health_referral_id);

-- +goose Down
DROP TABLE expense_links;
DROP TABLE restricted_funds;
DROP TABLE stay_duties_done;
DROP TABLE assistance_files;
DROP TABLE assistance_referrals;
