-- name: manifestFacts
-- description: What the manifest says beyond row counts: the sources staged
--   (one row per provider and tenant), and what the package leaves out. It
--   reads the users_emit index once, not the user rows: the missing users
--   are counted in the same pass that finds the least and greatest source
--   and tenant, and only when those differ (several sources staged) are the
--   distinct ones listed by a second pass. Users excluded with `mig exclude`
--   are counted apart (those missing too are counted as missing).
WITH u AS MATERIALIZED (
    SELECT count(*) FILTER (WHERE change = 'missing') AS missing,
           min(source) FILTER (WHERE change <> 'missing') AS first_source,
           max(source) FILTER (WHERE change <> 'missing') AS last_source,
           min(source_tenant) FILTER (WHERE change <> 'missing') AS first_tenant,
           max(source_tenant) FILTER (WHERE change <> 'missing') AS last_tenant
    FROM users INDEXED BY users_emit
)
SELECT
    CASE WHEN u.first_source IS NULL THEN json_array()
         WHEN u.first_source = u.last_source AND u.first_tenant = u.last_tenant
             THEN json_array(json_array(u.first_source, u.first_tenant))
         ELSE (SELECT json_group_array(json_array(source, source_tenant)) FROM (
                   SELECT DISTINCT source, source_tenant FROM users INDEXED BY users_emit
                   WHERE change <> 'missing' ORDER BY source, source_tenant)) END AS sources,
    u.missing AS missing_users,
    (SELECT count(*) FROM excluded_users x JOIN users xu ON xu.id = x.user_id
     WHERE xu.change <> 'missing') AS excluded_users,
    (SELECT count(*) FROM organizations WHERE coalesce(nullif(external_id, ''), workos_org_id) IS NULL) AS orgs_without_id,
    (SELECT count(*) FROM sso_connections) AS sso_connections,
    (SELECT count(*) FROM sso_connections WHERE secrets IS NOT NULL AND secrets NOT IN ('', '{}')) AS sso_with_secrets,
    (SELECT count(*) FROM sso_connections WHERE protocol = 'oidc' AND coalesce(secrets ->> '$.clientSecret', '') = '') AS oidc_without_secret
FROM u;
