-- name: oidcConnections
-- file: sso/oidc_connections.csv
-- description: OIDC connections for handoff; clientSecret only with
--   --include-secrets.
-- params: :include_secrets
SELECT
    c.name AS name,
    coalesce(o.name, '') AS organizationName,
    coalesce(o.workos_org_id, '') AS organizationId,
    coalesce(o.external_id, '') AS organizationExternalId,
    coalesce((SELECT group_concat(d.value, ',') FROM json_each(c.domains) d), '') AS domains,
    coalesce(c.config ->> '$.clientId', '') AS clientId,
    CASE WHEN :include_secrets THEN coalesce(c.secrets ->> '$.clientSecret', '') ELSE '' END AS clientSecret,
    coalesce(c.config ->> '$.discoveryEndpoint', '') AS discoveryEndpoint,
    coalesce(c.config ->> '$.customRedirectUri', '') AS customRedirectUri,
    coalesce(c.config ->> '$.externalId', c.source_connection_id) AS externalId
FROM sso_connections c
LEFT JOIN organizations o ON o.id = c.organization_id
WHERE c.protocol = 'oidc'
ORDER BY c.id;
