-- Login throttling instead of a hard lock (issue 14): failed sign-ins are
-- counted per account and address, per address and per account, each with
-- its own growing back-off, in the database so that every node sees them.
-- "account" is the normalised username as typed, whether or not it names
-- an account, so that unknown names are throttled exactly like real ones.
-- login_known remembers where each account last signed in: the account-wide
-- back-off (against guessers spread over many addresses) spares those
-- addresses, so such guessers cannot keep the owner out from a usual place.

-- +goose Up
CREATE TABLE login_throttle (
    scope           TEXT NOT NULL,            -- 'account_address', 'address' or 'account'
    account         TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    blocked_until   TIMESTAMPTZ,
    PRIMARY KEY (scope, account, address)
);
CREATE INDEX login_throttle_last ON login_throttle(last_failure_at);
CREATE TABLE login_known (
    account       TEXT NOT NULL,
    address       TEXT NOT NULL,
    last_login_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, address)
);
CREATE INDEX login_known_last ON login_known(last_login_at);
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
DROP TABLE login_known;
DROP TABLE login_throttle;
