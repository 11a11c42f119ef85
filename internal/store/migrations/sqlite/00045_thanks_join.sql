-- Public thanks to donors and sign-up links for accepted volunteers
-- (issue 20, DESIGN.md §3.12).
--
-- donor_thanks: whether the donor of a gift (a money donation, or a
-- donation into stock) consented to be thanked in public, by the name
-- they chose or anonymously. A gift without a row, or with mode 'none',
-- is never shown; withdrawing consent sets 'none'. It is a table of its
-- own rather than columns of money_donations and stock_movements so the
-- stock ledger stays as it was written.
--
-- volunteer_join_links: the one-time sign-up link an accepted applicant
-- gets (only its hash is kept), with its expiry and its use; joined_at
-- is when the volunteer confirmed their details through it.

-- +goose Up
CREATE TABLE donor_thanks (
    gift_kind   TEXT NOT NULL CHECK (gift_kind IN ('money', 'in_kind')),
    gift_id     TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('none', 'named', 'anonymous')),
    public_name TEXT NOT NULL DEFAULT '',
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (gift_kind, gift_id)
);

CREATE TABLE volunteer_join_links (
    token_hash     TEXT PRIMARY KEY,
    volunteer_id   TEXT NOT NULL REFERENCES volunteers(id),
    application_id TEXT NOT NULL REFERENCES volunteer_applications(id),
    expires_at     TEXT NOT NULL,
    used_at        TEXT,
    revoked        INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX volunteer_join_links_volunteer ON volunteer_join_links(volunteer_id);

ALTER TABLE volunteers ADD COLUMN joined_at TEXT;

CREATE INDEX event_registrations_checked_in ON event_registrations(checked_in_at);

-- +goose Down
DROP INDEX event_registrations_checked_in;
ALTER TABLE volunteers DROP COLUMN joined_at;
DROP TABLE volunteer_join_links;
DROP TABLE donor_thanks;
