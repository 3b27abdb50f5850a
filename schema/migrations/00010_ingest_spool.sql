-- The spool of an API source's fetch (Auth0, Cognito): the staging
-- database is its checkpoint. A fetch reads a tenant page by page; after
-- each page it writes the page's records and the cursor it reached, in one
-- short transaction, so that an ingest interrupted mid-way and started
-- again with the same arguments continues where it stopped instead of
-- fetching staged pages again. When the fetch is complete, the ingest
-- replays the records into its one transaction and deletes the spool when
-- it commits: the staged tables still change in one step.
--
-- Records are JSON (the kit's ingest records); SSO secrets are in them
-- only when the ingest was asked for secrets. An ingest with other
-- arguments starts a new spool: a source and tenant have at most one.

-- +goose Up
CREATE TABLE ingest_spools (
    id            INTEGER PRIMARY KEY,
    provider      TEXT NOT NULL,
    source_tenant TEXT NOT NULL DEFAULT '',
    options       TEXT NOT NULL,            -- the fetch's arguments, as the ingest run records them
    saved_seq     INTEGER NOT NULL DEFAULT 0, -- records up to this checkpoint are saved; later ones are dropped on resume
    started_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    fetched_at    TEXT,                     -- the fetch completed: only the replay is left
    UNIQUE (provider, source_tenant)
);

CREATE TABLE ingest_spool_cursors (
    spool_id   INTEGER NOT NULL REFERENCES ingest_spools(id) ON DELETE CASCADE,
    resource   TEXT NOT NULL,               -- what the fetcher pages through, in its own words
    cursor     TEXT NOT NULL,               -- where it continues, opaque to mig
    updated_at TEXT NOT NULL,
    PRIMARY KEY (spool_id, resource)
) WITHOUT ROWID;

CREATE TABLE ingest_spool_records (
    id       INTEGER PRIMARY KEY,
    spool_id INTEGER NOT NULL REFERENCES ingest_spools(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,              -- the checkpoint that saves it
    kind     TEXT NOT NULL,                 -- user, skip, warning, org_mapping, role_mapping, organization, role, sso_connection
    file     TEXT NOT NULL,
    record   TEXT NOT NULL,                 -- JSON
    digest   TEXT NOT NULL,                 -- of kind, file and record: a record handed over again is kept once
    UNIQUE (spool_id, digest)
);

-- +goose Down
DROP TABLE ingest_spool_records;
DROP TABLE ingest_spool_cursors;
DROP TABLE ingest_spools;
