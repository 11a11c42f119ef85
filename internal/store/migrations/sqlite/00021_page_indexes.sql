-- Indexes for every sort and filter the main pages use, so that a page
-- costs what it shows, not what the station has ever recorded (issue 16).
-- TestPagesUseIndexes checks the plans on both databases.

-- +goose Up
-- /people: identities, most recently changed first. (SQLite's planner
-- prefers persons_merged over a partial index; PostgreSQL's migration
-- has a partial one.)
CREATE INDEX persons_identity_updated ON persons(merged_into, updated_at);

-- The admission's duplicate check: each record's name and aliases, one
-- row each, kept by the store with the record (PeopleNamed).
CREATE TABLE person_names (
    name      TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (name, person_id)
);
CREATE INDEX person_names_person ON person_names(person_id);
INSERT INTO person_names (name, person_id) SELECT DISTINCT name, id FROM persons WHERE name <> '';

-- The dispatch board: open incidents by deadline, the last closed ones.
-- (last_signal_at stays unindexed, as 00002 explains: the open incident
-- list reads incidents_state, open incidents being few.)
CREATE INDEX incidents_board ON incidents(state, due_at, id);
CREATE INDEX incidents_state_closed ON incidents(state, closed_at);
-- Channels of a page of incidents, and the channel filter, read from the
-- index alone. It replaces signals_incident, so that a signal still
-- updates as many indexes as before.
CREATE INDEX signals_incident_channel ON signals(incident_id, channel);
DROP INDEX signals_incident;

-- The family review queue, most probable first.
CREATE INDEX match_candidates_queue ON match_candidates(state, probability, score, id);

-- +goose Down
DROP INDEX match_candidates_queue;
CREATE INDEX signals_incident ON signals(incident_id);
DROP INDEX signals_incident_channel;
DROP INDEX incidents_state_closed;
DROP INDEX incidents_board;
DROP TABLE person_names;
DROP INDEX persons_identity_updated;
