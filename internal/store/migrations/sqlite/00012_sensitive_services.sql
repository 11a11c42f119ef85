-- Sensitive kinds of help signal: requests of these kinds are never shown
-- to anonymous Open311 clients (lists and get-by-id), only to API keys
-- with the open311 scope. Requests about children are sensitive from the
-- start; an administrator changes the list on the routing page.

-- +goose Up
CREATE TABLE service_settings (
    service_code TEXT PRIMARY KEY,
    sensitive    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO service_settings (service_code, sensitive) VALUES ('minor_alone', 1);

-- +goose Down
DROP TABLE service_settings;
