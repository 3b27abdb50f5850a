-- Users a person chose never to send (`mig exclude`): rows no fix repairs,
-- test accounts, people who left. The import skips them, and their
-- memberships and TOTP factors, with the reason; `mig exclude --undo` makes
-- them importable again.
--
-- An exclusion is keyed by the user's identity towards its source (source,
-- source_tenant, source_id), not by the staged row id: the source's id is
-- what a re-ingest of a newer export matches users by, so a re-ingested
-- user stays excluded whatever becomes of the staging row (a user dropped
-- and staged again gets a new row id, never a new source id). An exclusion
-- is undone by stamping undone_at, not by deleting it, so that the history
-- stays and `mig status` can tell that exclusions changed after the last
-- check (check_runs.started_at).

-- +goose Up
CREATE TABLE exclusions (
    source        TEXT NOT NULL,
    source_tenant TEXT NOT NULL DEFAULT '',
    source_id     TEXT NOT NULL,
    reason        TEXT NOT NULL,   -- --reason, as the person wrote it
    predicate     TEXT NOT NULL,   -- how the user was chosen: the --where predicate, "id ...", "email ...", "file F:LINE"
    excluded_at   TEXT NOT NULL,
    undone_at     TEXT,            -- set by mig exclude --undo: importable again
    PRIMARY KEY (source, source_tenant, source_id)
);

-- When a check started: an exclusion made or undone after it may not be in
-- its findings (the rules that compare users leave excluded users out).
ALTER TABLE check_runs ADD COLUMN started_at TEXT;

-- The users excluded now, with their staging row. An exclusion whose user is
-- not staged (any more) is kept, and shows here again once it is.
CREATE VIEW excluded_users AS
SELECT u.id AS user_id, u.source, u.source_tenant, u.source_id, u.email, u.row_number,
       x.reason, x.predicate, x.excluded_at,
       i.status AS import_status, i.workos_id AS workos_user_id
FROM exclusions x
JOIN users u ON u.source = x.source AND u.source_tenant = x.source_tenant AND u.source_id = x.source_id
LEFT JOIN import_items i ON i.entity = 'user' AND i.entity_id = u.id
WHERE x.undone_at IS NULL;

-- Every staged row an exclusion holds back, as import_items names rows: the
-- user, its memberships (which carry its roles) and its TOTP factors. The
-- import skips them (sqlqueries/importer/populate.sql) and the plan counts
-- them.
CREATE VIEW excluded_rows AS
SELECT 'user' AS entity, x.user_id AS entity_id, x.user_id, x.reason FROM excluded_users x
UNION ALL
SELECT 'membership', m.id, x.user_id, x.reason FROM excluded_users x JOIN memberships m ON m.user_id = x.user_id
UNION ALL
SELECT 'totp', t.id, x.user_id, x.reason FROM excluded_users x JOIN totp_secrets t ON t.user_id = x.user_id;

-- The staged user each finding of `mig check` concerns: the user itself, the
-- user of a membership, TOTP secret or role assignment, and the user a
-- mapping line maps. Findings on organizations, roles and permissions
-- concern no user.
CREATE VIEW finding_users AS
SELECT f.id AS finding_id, f.rule, f.severity, f.entity_id AS user_id
FROM findings f WHERE f.entity = 'user'
UNION ALL
SELECT f.id, f.rule, f.severity, m.user_id
FROM findings f JOIN memberships m ON m.id = f.entity_id WHERE f.entity = 'membership'
UNION ALL
SELECT f.id, f.rule, f.severity, t.user_id
FROM findings f JOIN totp_secrets t ON t.id = f.entity_id WHERE f.entity = 'totp'
UNION ALL
SELECT f.id, f.rule, f.severity, ra.user_id
FROM findings f JOIN role_assignments ra ON ra.id = f.entity_id WHERE f.entity = 'role_assignment'
UNION ALL
SELECT f.id, f.rule, f.severity, u.id
FROM findings f
JOIN org_mapping_rows m ON m.id = f.entity_id
JOIN users u ON u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id
WHERE f.entity = 'org_mapping'
UNION ALL
SELECT f.id, f.rule, f.severity, u.id
FROM findings f
JOIN role_mapping_rows m ON m.id = f.entity_id
JOIN users u ON u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id
WHERE f.entity = 'role_mapping';

-- Findings about excluded users: the import never sends those users, so
-- these findings block nothing (`mig check` shows them apart, and neither
-- it nor `mig import` counts them as open errors).
CREATE VIEW excluded_findings AS
SELECT fu.finding_id, fu.rule, fu.severity, fu.user_id, x.reason
FROM finding_users fu
JOIN excluded_users x ON x.user_id = fu.user_id;

-- The findings that count: all but those about excluded users. `mig import`
-- refuses to start on the open errors, and `mig status` counts them.
CREATE VIEW open_findings AS
SELECT * FROM findings WHERE id NOT IN (SELECT finding_id FROM excluded_findings);

-- +goose Down
DROP VIEW open_findings;
DROP VIEW excluded_findings;
DROP VIEW finding_users;
DROP VIEW excluded_rows;
DROP VIEW excluded_users;
ALTER TABLE check_runs DROP COLUMN started_at;
DROP TABLE exclusions;
