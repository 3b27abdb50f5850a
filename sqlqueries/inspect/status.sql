-- name: status
-- description: What is staged and how far each entity got: one row per entity and stage, as `mig status` shows it.
--   A user's change is what the last run that wrote it did (a re-ingest does not write an unchanged user), so
--   "in last ingest" is a change made by the last run of the user's source that read users.
WITH last_runs AS (SELECT max(id) AS id FROM ingest_runs WHERE rows_read > 0 GROUP BY provider, source_tenant)
SELECT 'users' AS entity, 'staged' AS stage, count(*) AS n FROM users WHERE change <> 'missing'
UNION ALL SELECT 'users', 'staged, new in last ingest', count(*) FROM users WHERE change = 'new' AND first_run_id IN (SELECT id FROM last_runs)
UNION ALL SELECT 'users', 'staged, changed in last ingest', count(*) FROM users WHERE change = 'changed' AND changed_run_id IN (SELECT id FROM last_runs)
UNION ALL SELECT 'users', 'missing from last export', count(*) FROM users WHERE change = 'missing'
UNION ALL SELECT 'users', 'with password hash', count(*) FROM users WHERE password_hash IS NOT NULL
UNION ALL SELECT 'users', 'without importable password', count(*) FROM users WHERE password_hash IS NULL AND password IS NULL
UNION ALL SELECT 'users', 'email verified', count(*) FROM users WHERE email_verified = 1
UNION ALL SELECT 'users', 'skipped', count(*) FROM skipped_users
UNION ALL SELECT 'organizations', 'staged', count(*) FROM organizations
UNION ALL SELECT 'memberships', 'staged', count(*) FROM memberships
UNION ALL SELECT 'roles', 'staged', count(*) FROM roles
UNION ALL SELECT 'permissions', 'staged', count(*) FROM permissions
UNION ALL SELECT 'role_assignments', 'staged', count(*) FROM role_assignments
UNION ALL SELECT 'totp', 'staged', count(*) FROM totp_secrets
UNION ALL SELECT 'sso_connections', 'staged', count(*) FROM sso_connections
UNION ALL SELECT 'warnings', 'open', count(*) FROM warnings
UNION ALL SELECT 'findings', severity, count(*) FROM findings GROUP BY severity
UNION ALL SELECT entity, 'import ' || status, count(*) FROM import_items GROUP BY entity, status;
