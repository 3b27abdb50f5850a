-- What `mig reconcile` and `mig rollback` keep.
--
-- mig reconcile reads WorkOS back into scratch tables (reconcile_workos_*:
-- only what the list endpoints show, never a password hash or a TOTP
-- secret), emptied at the start and the end of every run, and compares
-- them with the imported rows in SQL (sqlqueries/reconcile/): each
-- difference is a row of reconcile_findings, under its run.
--
-- mig rollback deletes from WorkOS what this database's imports created.
-- import_items.outcome says only how a row last went ("updated" overwrites
-- "created" when a changed user is sent again), so a trigger writes down
-- every creation as it is recorded: a row becoming done with outcome
-- created and a WorkOS id it did not have. That ledger, rollback_items,
-- also holds each object's rollback status, so a rollback resumes like an
-- import: live (in WorkOS as far as mig knows), in_flight (a delete may
-- have been sent), deleted, kept (with the reason) or failed.

-- +goose Up
CREATE TABLE reconcile_runs (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running', -- running, clean, differences, interrupted, failed
    summary     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE reconcile_findings (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES reconcile_runs(id) ON DELETE CASCADE,
    rule         TEXT    NOT NULL,  -- the sqlqueries/reconcile file that found it
    entity       TEXT    NOT NULL CHECK (entity IN ('user', 'organization', 'membership', 'totp')),
    staged_id    INTEGER,           -- users.id, organizations.id, memberships.id or totp_secrets.id; NULL when not staged
    workos_id    TEXT,
    kind         TEXT    NOT NULL CHECK (kind IN ('missing', 'different', 'duplicate', 'not_staged')),
    severity     TEXT    NOT NULL CHECK (severity IN ('error', 'info')),
    field        TEXT,
    staged_value TEXT,
    workos_value TEXT,
    message      TEXT    NOT NULL
);
CREATE INDEX reconcile_findings_run ON reconcile_findings(run_id, entity, workos_id);

CREATE TABLE reconcile_workos_users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    first_name      TEXT,
    last_name       TEXT,
    email_verified  INTEGER NOT NULL,
    external_id     TEXT,
    metadata        TEXT NOT NULL,   -- canonical JSON: keys sorted, string values
    last_sign_in_at TEXT,
    factors_read    INTEGER NOT NULL DEFAULT 0  -- 1 once the user's factors are in reconcile_workos_factors
) WITHOUT ROWID;
CREATE INDEX reconcile_workos_users_email ON reconcile_workos_users(lower(email));
CREATE INDEX reconcile_workos_users_external_id ON reconcile_workos_users(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE reconcile_workos_organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    external_id TEXT,
    members_read INTEGER NOT NULL DEFAULT 0  -- 1 once its memberships are in reconcile_workos_memberships
) WITHOUT ROWID;

CREATE TABLE reconcile_workos_memberships (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    status          TEXT NOT NULL,
    role_slugs      TEXT NOT NULL    -- JSON array, sorted
) WITHOUT ROWID;
CREATE INDEX reconcile_workos_memberships_org ON reconcile_workos_memberships(organization_id, user_id);

CREATE TABLE reconcile_workos_factors (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    type    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX reconcile_workos_factors_user ON reconcile_workos_factors(user_id);

-- What each imported row gave WorkOS, for the reconcile rules: the rows
-- import_items holds done with a WorkOS id, with the values the importer
-- sends (sqlqueries/importer/page_*.sql and importer/entities.go: empty
-- strings are not sent, the address as staged). sent_current is 0 when the
-- staged row changed after WorkOS got it (a later ingest or fix), so the
-- next import sends it. An end-to-end test keeps these in agreement with
-- the importer: an import followed by a reconcile finds nothing.
CREATE VIEW reconcile_imported_users AS
SELECT u.id AS staged_id, u.source_id, i.workos_id, i.outcome,
       coalesce(u.email_raw, u.email, '') AS email,
       coalesce(u.first_name, '') AS first_name, coalesce(u.last_name, '') AS last_name,
       coalesce(u.email_verified, 0) AS email_verified, coalesce(u.external_id, '') AS external_id,
       u.metadata, i.imported_hash IS u.content_hash AS sent_current
FROM import_items i JOIN users u ON u.id = i.entity_id
WHERE i.entity = 'user' AND i.status = 'done' AND i.workos_id IS NOT NULL;

CREATE VIEW reconcile_imported_organizations AS
SELECT o.id AS staged_id, o.org_key, i.workos_id, i.outcome, o.resolution,
       coalesce(o.external_id, '') AS external_id,
       coalesce(nullif(o.name, ''), o.external_id, '') AS name
FROM import_items i JOIN organizations o ON o.id = i.entity_id
WHERE i.entity = 'organization' AND i.status = 'done' AND i.workos_id IS NOT NULL;

CREATE VIEW reconcile_imported_memberships AS
SELECT sm.id AS staged_id, sm.user_id, sm.organization_id, sm.email, sm.org_key, i.workos_id, i.outcome,
       sm.role_slugs, i.imported_hash IS sm.role_slugs AS sent_current,
       ui.workos_id AS user_workos_id, coalesce(oi.workos_id, sm.workos_org_id) AS org_workos_id
FROM import_items i
JOIN staged_memberships sm ON sm.id = i.entity_id
LEFT JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = sm.user_id
LEFT JOIN import_items oi ON oi.entity = 'organization' AND oi.entity_id = sm.organization_id
WHERE i.entity = 'membership' AND i.status = 'done' AND i.workos_id IS NOT NULL;

-- Read from totp_secrets first (a CROSS JOIN keeps the order), so that a
-- user's factors are found through totp_secrets' index on user_id.
CREATE VIEW reconcile_imported_totp AS
SELECT t.id AS staged_id, t.user_id, i.workos_id, i.outcome, ui.workos_id AS user_workos_id
FROM totp_secrets t
CROSS JOIN import_items i ON i.entity = 'totp' AND i.entity_id = t.id
LEFT JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = t.user_id
WHERE i.status = 'done' AND i.workos_id IS NOT NULL;

CREATE TABLE rollback_runs (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',
    summary     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE rollback_items (
    id              INTEGER PRIMARY KEY,  -- creation order: a rollback goes newest first
    entity          TEXT    NOT NULL
        CHECK (entity IN ('permission', 'role', 'organization', 'user', 'membership', 'totp')),
    entity_id       INTEGER NOT NULL,     -- as import_items.entity_id
    workos_id       TEXT    NOT NULL,
    endpoint        TEXT    NOT NULL,     -- the API the import created it through
    created_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'live'
        CHECK (status IN ('live', 'in_flight', 'deleted', 'kept', 'failed')),
    reason          TEXT,                 -- why kept or failed, or how it went (already gone, with its user)
    http_status     INTEGER,
    error_code      TEXT,
    request_id      TEXT,
    rollback_run_id INTEGER,
    updated_at      TEXT,
    UNIQUE (entity, workos_id)
);
-- A page of a rollback reads one entity's rows newest first from where the
-- last page ended: this index holds them in that order (by rowid).
CREATE INDEX rollback_items_order ON rollback_items(entity);
CREATE INDEX rollback_items_entity ON rollback_items(entity, entity_id);

-- The objects WorkOS deletes with another: a user's memberships and TOTP
-- factors go with the user, an organization's memberships and custom
-- roles with the organization. mig rollback marks them, and puts their
-- import rows back to pending, when it deletes (or keeps) the parent. The
-- joins are CROSS JOINs, which SQLite keeps in the order written, and the
-- parent's entity is compared as +p.entity, which no index serves: a lookup
-- by parent id (a page of a rollback) reads those parents by id and their
-- children through their indexes, not every row of an entity per page.
CREATE VIEW rollback_children AS
SELECT c.id AS child_id, p.id AS parent_id, p.entity AS parent_entity
FROM rollback_items p
CROSS JOIN memberships m ON +p.entity = 'user' AND m.user_id = p.entity_id
CROSS JOIN rollback_items c ON c.entity = 'membership' AND c.entity_id = m.id
UNION ALL
SELECT c.id, p.id, p.entity
FROM rollback_items p
CROSS JOIN totp_secrets t ON +p.entity = 'user' AND t.user_id = p.entity_id
CROSS JOIN rollback_items c ON c.entity = 'totp' AND c.entity_id = t.id
UNION ALL
SELECT c.id, p.id, p.entity
FROM rollback_items p
CROSS JOIN memberships m ON +p.entity = 'organization' AND m.organization_id = p.entity_id
CROSS JOIN rollback_items c ON c.entity = 'membership' AND c.entity_id = m.id
UNION ALL
SELECT c.id, p.id, p.entity
FROM rollback_items p
CROSS JOIN roles r ON +p.entity = 'organization' AND r.organization_id = p.entity_id
CROSS JOIN rollback_items c ON c.entity = 'role' AND c.entity_id = r.id;

-- A creation gives a row a WorkOS id it did not have (a user updated keeps
-- its id; one re-created after it was deleted in WorkOS gets a new one).
-- +goose StatementBegin
CREATE TRIGGER import_items_record_creation
AFTER UPDATE OF outcome, workos_id ON import_items
WHEN NEW.status = 'done' AND NEW.outcome = 'created' AND NEW.workos_id IS NOT NULL
     AND NEW.workos_id IS NOT OLD.workos_id
BEGIN
    INSERT INTO rollback_items (entity, entity_id, workos_id, endpoint, created_at)
    VALUES (NEW.entity, NEW.entity_id, NEW.workos_id,
            coalesce((SELECT endpoint FROM import_runs WHERE id = NEW.import_run_id), ''), NEW.updated_at)
    ON CONFLICT (entity, workos_id) DO NOTHING;
END;
-- +goose StatementEnd

-- Imports made before this migration: what they record as created now.
-- A row they created and then updated says "updated" and cannot be told
-- from an adopted one; it is not in the ledger, so no rollback deletes it.
INSERT INTO rollback_items (entity, entity_id, workos_id, endpoint, created_at)
SELECT i.entity, i.entity_id, i.workos_id, coalesce(r.endpoint, ''), i.updated_at
FROM import_items i LEFT JOIN import_runs r ON r.id = i.import_run_id
WHERE i.status = 'done' AND i.outcome = 'created' AND i.workos_id IS NOT NULL
ORDER BY i.id
ON CONFLICT (entity, workos_id) DO NOTHING;

-- +goose Down
DROP VIEW reconcile_imported_totp;
DROP VIEW reconcile_imported_memberships;
DROP VIEW reconcile_imported_organizations;
DROP VIEW reconcile_imported_users;
DROP TRIGGER import_items_record_creation;
DROP VIEW rollback_children;
DROP TABLE rollback_items;
DROP TABLE rollback_runs;
DROP TABLE reconcile_workos_factors;
DROP TABLE reconcile_workos_memberships;
DROP TABLE reconcile_workos_organizations;
DROP TABLE reconcile_workos_users;
DROP TABLE reconcile_findings;
DROP TABLE reconcile_runs;
