-- name: report_staged_entities
-- description: How many rows of each kind besides users are staged: what
--   the import sends (organizations, memberships, roles, permissions, role
--   assignments, TOTP factors) and what is handed over as files (SSO
--   connections).
SELECT 'organizations' AS entity, count(*) AS n FROM organizations
UNION ALL SELECT 'memberships', count(*) FROM memberships
UNION ALL SELECT 'roles', count(*) FROM roles
UNION ALL SELECT 'permissions', count(*) FROM permissions
UNION ALL SELECT 'role assignments', count(*) FROM role_assignments
UNION ALL SELECT 'TOTP factors', count(*) FROM totp_secrets
UNION ALL SELECT 'SSO connections', count(*) FROM sso_connections;
