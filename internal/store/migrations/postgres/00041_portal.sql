-- The public portal and publicity (issue 20, DESIGN.md §3.12): news
-- articles written by staff and approved by a leader (every saved text
-- kept as a version), events such as the 6·19 open day with public
-- registration (phones sealed), applications to volunteer, and the
-- publicity work log (宣传).

-- +goose Up
CREATE TABLE articles (
    id              TEXT PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    consent         INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    publish_at      TIMESTAMPTZ,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    submitted_by    TEXT NOT NULL DEFAULT '',
    submitted_at    TIMESTAMPTZ,
    approved_by     TEXT NOT NULL DEFAULT '',
    approved_at     TIMESTAMPTZ,
    withdrawn_by    TEXT NOT NULL DEFAULT '',
    withdrawn_at    TIMESTAMPTZ,
    withdraw_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX articles_public ON articles (state, publish_at);

CREATE TABLE article_versions (
    article_id TEXT NOT NULL REFERENCES articles(id),
    version    INTEGER NOT NULL,
    category   TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    body       TEXT NOT NULL,
    edited_by  TEXT NOT NULL,
    edited_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE portal_events (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    programme   TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL,
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    capacity    INTEGER NOT NULL,
    registered  INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE event_registrations (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES portal_events(id),
    ref           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone_sealed  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    checked_in_at TIMESTAMPTZ,
    checked_in_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_registrations_event ON event_registrations (event_id);

CREATE TABLE volunteer_applications (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    skills       TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    volunteer_id TEXT NOT NULL DEFAULT '',
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE publicity_log (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    place      TEXT NOT NULL,
    title      TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    materials  INTEGER NOT NULL DEFAULT 0,
    audience   INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE publicity_log;
DROP TABLE volunteer_applications;
DROP TABLE event_registrations;
DROP TABLE portal_events;
DROP TABLE article_versions;
DROP TABLE articles;
