-- Statistics (DESIGN.md §3.11, internal/stats): every indicator filters
-- its records on one instant with a half-open range. These indexes lead
-- with that instant (after the kind of record, where the query fixes it)
-- and hold the columns the counts read, so that a report over a year of
-- a province's records reads indexes only: help signals with their
-- incident (replacing signals_received, same leading column), an
-- incident's or a patrol's department for the join, closed incidents,
-- encounters by outcome, arrivals and exits, stock movements by kind,
-- the points' log, reunions and donations.

-- +goose Up
DROP INDEX signals_received;
CREATE INDEX signals_received ON signals(received_at, incident_id, channel, service_code);
CREATE INDEX incidents_dept ON incidents(id, department_id);
CREATE INDEX incidents_closed_stats ON incidents(state, closed_at, due_at, department_id);
CREATE INDEX patrols_dept ON patrols(id, department_id);
CREATE INDEX encounters_outcome_at ON encounters(outcome, at, patrol_id, team_id);
CREATE INDEX stays_arrived_stats ON stays(arrived_at, state, person_id);
CREATE INDEX stays_exited_stats ON stays(state, exited_at, exit_kind, arrived_at);
CREATE INDEX stock_movements_kind_at ON stock_movements(kind, at, item_id, location_id, qty, person_key);
CREATE INDEX point_log_at ON point_log(at);
CREATE INDEX report_updates_kind_at ON report_updates(kind, at);
CREATE INDEX money_donations_at ON money_donations(at);

-- +goose Down
DROP INDEX money_donations_at;
DROP INDEX report_updates_kind_at;
DROP INDEX point_log_at;
DROP INDEX stock_movements_kind_at;
DROP INDEX stays_exited_stats;
DROP INDEX stays_arrived_stats;
DROP INDEX encounters_outcome_at;
DROP INDEX patrols_dept;
DROP INDEX incidents_closed_stats;
DROP INDEX incidents_dept;
DROP INDEX signals_received;
CREATE INDEX signals_received ON signals(received_at);
