-- name: manifestFacts
-- description: What the manifest says beyond row counts: the sources staged
--   (one row per provider and tenant), and what the package leaves out.
SELECT
    (SELECT json_group_array(json_array(source, source_tenant)) FROM (
        SELECT DISTINCT source, source_tenant FROM users WHERE change <> 'missing' ORDER BY source, source_tenant)) AS sources,
    (SELECT count(*) FROM users WHERE change = 'missing') AS missing_users,
    (SELECT count(*) FROM organizations WHERE coalesce(nullif(external_id, ''), workos_org_id) IS NULL) AS orgs_without_id,
    (SELECT count(*) FROM sso_connections) AS sso_connections,
    (SELECT count(*) FROM sso_connections WHERE secrets IS NOT NULL AND secrets NOT IN ('', '{}')) AS sso_with_secrets,
    (SELECT count(*) FROM sso_connections WHERE protocol = 'oidc' AND coalesce(secrets ->> '$.clientSecret', '') = '') AS oidc_without_secret,
    (SELECT count(*) FROM users WHERE password IS NOT NULL AND change <> 'missing') AS plaintext_passwords;
