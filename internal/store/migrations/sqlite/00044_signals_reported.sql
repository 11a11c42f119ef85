-- Open311 start_date/end_date select requests by requested_datetime,
-- which is when the request was made (the signal's reported_at), not
-- when Haven stored it (issue 22).

-- +goose Up
CREATE INDEX signals_reported ON signals(reported_at);

-- +goose Down
DROP INDEX signals_reported;
