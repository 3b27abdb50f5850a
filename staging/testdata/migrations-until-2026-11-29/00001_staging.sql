-- The staging schema. Every source (Clerk, Auth0, Cognito, Firebase, a flat
-- CSV, a migration package) lands in these tables; checks, emit and the
-- importer read them. Identity inside staging is the integer row id; identity
-- towards the source is (source, source_tenant, source_id); identity towards
-- WorkOS lives in import_items.workos_id.

-- +goose Up

-- One row per `mig ingest` that changed something. A failed ingest rolls back
-- with its run, so every row here describes data that is staged.
CREATE TABLE ingest_runs (
    id              INTEGER PRIMARY KEY,
    provider        TEXT    NOT NULL,             -- clerk, auth0, cognito, firebase, csv, package, roles
    source_tenant   TEXT    NOT NULL DEFAULT '',
    options         TEXT    NOT NULL DEFAULT '{}', -- flags as JSON; never secrets
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    users_new       INTEGER NOT NULL DEFAULT 0,
    users_changed   INTEGER NOT NULL DEFAULT 0,
    users_unchanged INTEGER NOT NULL DEFAULT 0,
    users_missing   INTEGER NOT NULL DEFAULT 0,   -- staged before, absent from this export
    users_skipped   INTEGER NOT NULL DEFAULT 0,
    warnings        INTEGER NOT NULL DEFAULT 0
);

-- The files one run read, with their digest: the same files again is a no-op.
CREATE TABLE ingest_files (
    ingest_run_id INTEGER NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE,
    role          TEXT    NOT NULL,  -- users, org_mapping, role_mapping, role_definitions, ...
    path          TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    rows          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ingest_run_id, role)
);

CREATE TABLE users (
    id                     INTEGER PRIMARY KEY,
    source                 TEXT    NOT NULL,
    source_tenant          TEXT    NOT NULL DEFAULT '',
    source_id              TEXT    NOT NULL,           -- the provider's user id (Clerk user_..., Auth0 user_id, ...)
    ingest_run_id          INTEGER NOT NULL REFERENCES ingest_runs(id),  -- the run that last wrote the row
    first_run_id           INTEGER NOT NULL,
    last_seen_run_id       INTEGER NOT NULL,
    row_number             INTEGER NOT NULL,           -- line of the record in its file (1-based)
    email_raw              TEXT,                       -- as the source gave it
    email                  TEXT,                       -- trimmed and lower-cased: what WorkOS compares
    first_name             TEXT,
    last_name              TEXT,
    email_verified         INTEGER,                    -- 1, 0, or NULL when the source does not say
    password               TEXT,                       -- plaintext, only from a flat CSV that carried one
    password_hash          TEXT,                       -- in the form WorkOS accepts for password_hash_type
    password_hash_type     TEXT,                       -- bcrypt, firebase-scrypt, ssha, scrypt, pbkdf2, argon2
    source_hasher          TEXT,                       -- the source's own name for its hasher
    source_password_digest TEXT,                       -- kept only when it could not be mapped
    external_id            TEXT,
    username               TEXT,
    metadata               TEXT    NOT NULL DEFAULT '{}',  -- JSON object sent as WorkOS metadata
    emails                 TEXT    NOT NULL DEFAULT '[]',  -- JSON [{"email","verified","primary"}]
    phones                 TEXT    NOT NULL DEFAULT '[]',  -- JSON [{"phone","verified","primary"}]
    raw                    TEXT    NOT NULL,               -- the source record as JSON, secrets masked
    content_hash           TEXT    NOT NULL,               -- over everything sent to WorkOS
    change                 TEXT    NOT NULL DEFAULT 'new'
        CHECK (change IN ('new', 'changed', 'unchanged', 'missing')),
    changed_run_id         INTEGER
);
CREATE UNIQUE INDEX users_source_key ON users(source, source_tenant, source_id);
CREATE INDEX users_email ON users(email);
CREATE INDEX users_external_id ON users(external_id);

-- Organizations are global across sources: WorkOS has one namespace. org_key
-- is how mig identifies one: 'id:<org_id>', 'ext:<external id>' or
-- 'name:<name>', following the priority rule in org_mapping_resolved.
CREATE TABLE organizations (
    id            INTEGER PRIMARY KEY,
    org_key       TEXT    NOT NULL UNIQUE,
    resolution    TEXT    NOT NULL
        CHECK (resolution IN ('org_id', 'external_id', 'external_id_create', 'name')),
    workos_org_id TEXT,    -- given by the user: the org already exists in WorkOS
    external_id   TEXT,
    name          TEXT,
    domains       TEXT    NOT NULL DEFAULT '[]',
    metadata      TEXT    NOT NULL DEFAULT '{}',
    source        TEXT    NOT NULL,
    source_tenant TEXT    NOT NULL DEFAULT '',
    source_org_id TEXT,    -- the provider's own id (an Auth0 org_..., a Cognito pool)
    ingest_run_id INTEGER REFERENCES ingest_runs(id),
    row_number    INTEGER
);

-- Mapping files as given, one row per line, so that the priority rule and
-- the checks can be stated over what the user actually wrote.
CREATE TABLE org_mapping_rows (
    id              INTEGER PRIMARY KEY,
    ingest_run_id   INTEGER NOT NULL REFERENCES ingest_runs(id),
    source          TEXT    NOT NULL,
    source_tenant   TEXT    NOT NULL DEFAULT '',
    file            TEXT    NOT NULL,
    row_number      INTEGER NOT NULL,
    source_user_id  TEXT    NOT NULL,
    org_id          TEXT,
    org_external_id TEXT,
    org_name        TEXT,
    -- The org-mapping priority rule, as the Clerk guide states it: org_id
    -- wins and the other columns are ignored; without it, org_external_id
    -- identifies the org (org_name then names it when it has to be
    -- created); org_name alone looks the org up by name or creates it.
    -- Stored, so that a million-line mapping can be grouped by an index.
    resolution      TEXT GENERATED ALWAYS AS (
        CASE
            WHEN nullif(trim(org_id), '') IS NOT NULL THEN 'org_id'
            WHEN nullif(trim(org_external_id), '') IS NOT NULL
                 AND nullif(trim(org_name), '') IS NOT NULL THEN 'external_id_create'
            WHEN nullif(trim(org_external_id), '') IS NOT NULL THEN 'external_id'
            WHEN nullif(trim(org_name), '') IS NOT NULL THEN 'name'
        END) STORED,
    org_key         TEXT GENERATED ALWAYS AS (
        CASE
            WHEN nullif(trim(org_id), '') IS NOT NULL THEN 'id:' || trim(org_id)
            WHEN nullif(trim(org_external_id), '') IS NOT NULL THEN 'ext:' || trim(org_external_id)
            WHEN nullif(trim(org_name), '') IS NOT NULL THEN 'name:' || trim(org_name)
        END) STORED
);
CREATE INDEX org_mapping_rows_source ON org_mapping_rows(source, source_tenant);
CREATE INDEX org_mapping_rows_run_key ON org_mapping_rows(ingest_run_id, org_key, row_number);

CREATE TABLE role_mapping_rows (
    id              INTEGER PRIMARY KEY,
    ingest_run_id   INTEGER NOT NULL REFERENCES ingest_runs(id),
    source          TEXT    NOT NULL,
    source_tenant   TEXT    NOT NULL DEFAULT '',
    file            TEXT    NOT NULL,
    row_number      INTEGER NOT NULL,
    source_user_id  TEXT    NOT NULL,
    role_slug       TEXT    NOT NULL,
    org_id          TEXT,
    org_external_id TEXT
);
CREATE INDEX role_mapping_rows_source ON role_mapping_rows(source, source_tenant);

CREATE TABLE memberships (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    metadata        TEXT    NOT NULL DEFAULT '{}',
    source          TEXT    NOT NULL,
    ingest_run_id   INTEGER REFERENCES ingest_runs(id),
    row_number      INTEGER,
    UNIQUE (user_id, organization_id)
);
CREATE INDEX memberships_organization ON memberships(organization_id);

CREATE TABLE roles (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL,
    name            TEXT,
    description     TEXT,
    type            TEXT    NOT NULL DEFAULT 'environment' CHECK (type IN ('environment', 'organization')),
    permissions     TEXT    NOT NULL DEFAULT '[]',   -- JSON array of permission slugs
    organization_id INTEGER REFERENCES organizations(id),
    scope_key       TEXT    NOT NULL DEFAULT '',     -- '' for environment roles, the org's org_key otherwise
    source          TEXT    NOT NULL,
    ingest_run_id   INTEGER REFERENCES ingest_runs(id),
    row_number      INTEGER,
    UNIQUE (slug, scope_key)
);

CREATE TABLE permissions (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT,
    description   TEXT,
    source        TEXT NOT NULL,
    ingest_run_id INTEGER REFERENCES ingest_runs(id)
);

-- A role given to a user. organization_id NULL means "in every organization
-- the user belongs to", which is what a per-user role mapping file says.
CREATE TABLE role_assignments (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_slug       TEXT    NOT NULL,
    organization_id INTEGER REFERENCES organizations(id),
    scope_key       TEXT    NOT NULL DEFAULT '',
    source          TEXT    NOT NULL,
    ingest_run_id   INTEGER REFERENCES ingest_runs(id),
    row_number      INTEGER,
    UNIQUE (user_id, role_slug, scope_key)
);

CREATE TABLE totp_secrets (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret        TEXT    NOT NULL,
    issuer        TEXT,
    user_label    TEXT,
    source        TEXT    NOT NULL,
    ingest_run_id INTEGER REFERENCES ingest_runs(id),
    row_number    INTEGER,
    UNIQUE (user_id, secret)
);

-- SSO connections are handed over as files, never created by mig. Secret
-- fields are kept apart so that emit can leave them out by default.
CREATE TABLE sso_connections (
    id                   INTEGER PRIMARY KEY,
    source               TEXT NOT NULL,
    source_tenant        TEXT NOT NULL DEFAULT '',
    source_connection_id TEXT NOT NULL,
    protocol             TEXT NOT NULL CHECK (protocol IN ('saml', 'oidc')),
    name                 TEXT NOT NULL,
    organization_id      INTEGER REFERENCES organizations(id),
    domains              TEXT NOT NULL DEFAULT '[]',
    config               TEXT NOT NULL DEFAULT '{}',  -- handoff columns as JSON, no secrets
    secrets              TEXT,                        -- JSON, only when ingested with secrets asked for
    attribute_mappings   TEXT NOT NULL DEFAULT '[]',
    ingest_run_id        INTEGER REFERENCES ingest_runs(id),
    row_number           INTEGER,
    UNIQUE (source, source_tenant, source_connection_id)
);

-- Warnings and skipped rows of the current staging state. An ingest of a
-- source replaces that source's rows here, because it reads its whole files.
CREATE TABLE warnings (
    id            INTEGER PRIMARY KEY,
    ingest_run_id INTEGER REFERENCES ingest_runs(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    source_tenant TEXT NOT NULL DEFAULT '',
    code          TEXT NOT NULL,
    message       TEXT NOT NULL,
    entity        TEXT,
    source_id     TEXT,
    file          TEXT,
    row_number    INTEGER,
    context       TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL
);
CREATE INDEX warnings_source ON warnings(source, source_tenant);

CREATE TABLE skipped_users (
    id            INTEGER PRIMARY KEY,
    ingest_run_id INTEGER REFERENCES ingest_runs(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    source_tenant TEXT NOT NULL DEFAULT '',
    source_id     TEXT,
    file          TEXT NOT NULL,
    row_number    INTEGER NOT NULL,
    email         TEXT,
    reason        TEXT NOT NULL,
    raw           TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX skipped_users_source ON skipped_users(source, source_tenant);

-- Written by `mig check`, replaced on each run.
CREATE TABLE findings (
    id         INTEGER PRIMARY KEY,
    rule       TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    source     TEXT,
    source_id  TEXT,
    row_number INTEGER,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX findings_rule ON findings(rule);

-- One row per staged object the importer must send; the importer's only
-- memory. entity_id is the row id in the entity's table.
CREATE TABLE import_items (
    id              INTEGER PRIMARY KEY,
    entity          TEXT    NOT NULL
        CHECK (entity IN ('permission', 'role', 'organization', 'user', 'membership', 'totp')),
    entity_id       INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'done', 'failed', 'skipped')),
    outcome         TEXT,    -- created, adopted, updated, unchanged
    attempts        INTEGER NOT NULL DEFAULT 0,
    workos_id       TEXT,
    http_status     INTEGER,
    error_code      TEXT,
    error_subcodes  TEXT,    -- JSON array of WorkOS sub-codes
    request_id      TEXT,
    message         TEXT,
    retryable       INTEGER,
    imported_hash   TEXT,    -- content_hash of the staged row when WorkOS last got it
    import_run_id   INTEGER,
    updated_at      TEXT    NOT NULL,
    UNIQUE (entity, entity_id)
);
CREATE INDEX import_items_status ON import_items(entity, status);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',
    summary     TEXT NOT NULL DEFAULT '{}'
);

-- Each org-mapping line with what the priority rule made of it (the rule
-- is the resolution and org_key columns of org_mapping_rows), the values
-- that won, and the values it set aside.
CREATE VIEW org_mapping_resolved AS
SELECT
    m.id AS mapping_row_id,
    m.ingest_run_id,
    m.source,
    m.source_tenant,
    m.file,
    m.row_number,
    m.source_user_id,
    m.resolution,
    m.org_key,
    nullif(trim(m.org_id), '') AS org_id,
    CASE WHEN m.resolution <> 'org_id' THEN nullif(trim(m.org_external_id), '') END AS org_external_id,
    CASE WHEN m.resolution <> 'org_id' THEN nullif(trim(m.org_name), '') END AS org_name,
    CASE WHEN m.resolution = 'org_id' THEN nullif(trim(m.org_external_id), '') END AS ignored_external_id,
    CASE WHEN m.resolution = 'org_id' THEN nullif(trim(m.org_name), '') END AS ignored_name
FROM org_mapping_rows m;

-- Views for people: `mig sql "select * from staged_users"`.
CREATE VIEW staged_users AS
SELECT
    u.id, u.source, u.source_tenant, u.source_id, u.row_number,
    u.email, u.email_raw, u.first_name, u.last_name, u.email_verified,
    u.password_hash IS NOT NULL AS has_password,
    u.password_hash_type, u.source_hasher,
    u.external_id, u.username, u.metadata, u.change,
    (SELECT count(*) FROM memberships m WHERE m.user_id = u.id) AS memberships,
    EXISTS (SELECT 1 FROM totp_secrets t WHERE t.user_id = u.id) AS has_totp,
    i.status AS import_status, i.workos_id AS workos_user_id
FROM users u
LEFT JOIN import_items i ON i.entity = 'user' AND i.entity_id = u.id;

CREATE VIEW user_emails AS
SELECT u.id AS user_id, u.source_id,
       json_extract(e.value, '$.email') AS email,
       json_extract(e.value, '$.verified') AS verified,
       json_extract(e.value, '$.primary') AS is_primary
FROM users u, json_each(u.emails) e;

CREATE VIEW user_phones AS
SELECT u.id AS user_id, u.source_id,
       json_extract(p.value, '$.phone') AS phone,
       json_extract(p.value, '$.verified') AS verified,
       json_extract(p.value, '$.primary') AS is_primary
FROM users u, json_each(u.phones) p;

CREATE VIEW staged_organizations AS
SELECT o.id, o.org_key, o.resolution, o.workos_org_id, o.external_id, o.name, o.domains, o.metadata,
       o.source, o.source_org_id,
       (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id) AS members,
       i.status AS import_status, coalesce(i.workos_id, o.workos_org_id) AS workos_org_id_resolved
FROM organizations o
LEFT JOIN import_items i ON i.entity = 'organization' AND i.entity_id = o.id;

-- A membership's roles: those given in its organization plus those given to
-- the user without an organization.
CREATE VIEW staged_memberships AS
SELECT m.id, m.user_id, u.email, u.source_id AS user_source_id, u.external_id AS user_external_id,
       m.organization_id, o.org_key, o.workos_org_id, o.external_id AS org_external_id, o.name AS org_name,
       (SELECT json_group_array(role_slug) FROM (
            SELECT DISTINCT ra.role_slug FROM role_assignments ra
            WHERE ra.user_id = m.user_id
              AND (ra.organization_id IS NULL OR ra.organization_id = m.organization_id)
            ORDER BY ra.role_slug)) AS role_slugs,
       m.metadata, m.source, m.row_number,
       i.status AS import_status, i.workos_id AS workos_membership_id
FROM memberships m
JOIN users u ON u.id = m.user_id
JOIN organizations o ON o.id = m.organization_id
LEFT JOIN import_items i ON i.entity = 'membership' AND i.entity_id = m.id;

CREATE VIEW staged_roles AS
SELECT r.id, r.slug, r.name, r.type, r.permissions, r.organization_id, o.org_key, r.source,
       (SELECT count(*) FROM role_assignments ra WHERE ra.role_slug = r.slug) AS assignments,
       i.status AS import_status, i.workos_id AS workos_role_id
FROM roles r
LEFT JOIN organizations o ON o.id = r.organization_id
LEFT JOIN import_items i ON i.entity = 'role' AND i.entity_id = r.id;

CREATE VIEW staged_role_assignments AS
SELECT ra.id, ra.user_id, u.email, u.source_id AS user_source_id, ra.role_slug,
       ra.organization_id, o.org_key, ra.source, ra.row_number
FROM role_assignments ra
JOIN users u ON u.id = ra.user_id
LEFT JOIN organizations o ON o.id = ra.organization_id;

-- TOTP secrets stay in totp_secrets; this view shows which users have one.
CREATE VIEW staged_totp AS
SELECT t.id, t.user_id, u.email, u.source_id AS user_source_id, t.issuer, t.user_label,
       length(t.secret) AS secret_length,
       i.status AS import_status, i.workos_id AS workos_factor_id
FROM totp_secrets t
JOIN users u ON u.id = t.user_id
LEFT JOIN import_items i ON i.entity = 'totp' AND i.entity_id = t.id;

CREATE VIEW import_status AS
SELECT entity, status, count(*) AS n FROM import_items GROUP BY entity, status;

-- +goose Down
DROP VIEW import_status;
DROP VIEW staged_totp;
DROP VIEW staged_role_assignments;
DROP VIEW staged_roles;
DROP VIEW staged_memberships;
DROP VIEW staged_organizations;
DROP VIEW user_phones;
DROP VIEW user_emails;
DROP VIEW staged_users;
DROP VIEW org_mapping_resolved;
DROP TABLE import_runs;
DROP TABLE import_items;
DROP TABLE findings;
DROP TABLE skipped_users;
DROP TABLE warnings;
DROP TABLE sso_connections;
DROP TABLE totp_secrets;
DROP TABLE role_assignments;
DROP TABLE permissions;
DROP TABLE roles;
DROP TABLE memberships;
DROP TABLE role_mapping_rows;
DROP TABLE org_mapping_rows;
DROP TABLE organizations;
DROP TABLE users;
DROP TABLE ingest_files;
DROP TABLE ingest_runs;
