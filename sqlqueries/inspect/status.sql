-- name: status
-- description: What is staged and how far each entity got: one row per entity and stage, as `mig status` shows it.
SELECT 'users' AS entity, 'staged' AS stage, count(*) AS n FROM users WHERE change <> 'missing'
UNION ALL SELECT 'users', 'staged, new in last ingest', count(*) FROM users WHERE change = 'new'
UNION ALL SELECT 'users', 'staged, changed in last ingest', count(*) FROM users WHERE change = 'changed'
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
