-- name: manifestFacts
-- description: What the manifest says beyond row counts: the sources staged
--   (one row per provider and tenant), and what the package leaves out. It
--   reads the users_emit index, not the user rows.
SELECT
    (SELECT json_group_array(json_array(source, source_tenant)) FROM (
        SELECT DISTINCT source, source_tenant FROM users INDEXED BY users_emit
        WHERE change <> 'missing' ORDER BY source, source_tenant)) AS sources,
    (SELECT count(*) FROM users INDEXED BY users_emit WHERE change = 'missing') AS missing_users,
    (SELECT count(*) FROM organizations WHERE coalesce(nullif(external_id, ''), workos_org_id) IS NULL) AS orgs_without_id,
    (SELECT count(*) FROM sso_connections) AS sso_connections,
    (SELECT count(*) FROM sso_connections WHERE secrets IS NOT NULL AND secrets NOT IN ('', '{}')) AS sso_with_secrets,
    (SELECT count(*) FROM sso_connections WHERE protocol = 'oidc' AND coalesce(secrets ->> '$.clientSecret', '') = '') AS oidc_without_secret;
