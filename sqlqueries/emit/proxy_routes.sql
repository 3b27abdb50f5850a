-- name: proxyRoutes
-- file: sso/proxy_routes.csv
-- description: A callback-proxy route for each connection whose config says
--   where the source IdP sends users today (sourceAcsUrl, sourceEntityId,
--   sourceRedirectUri) or which cutover state it is in.
SELECT
    coalesce(c.config ->> '$.externalId', c.source_connection_id) AS externalId,
    coalesce(o.external_id, '') AS organizationExternalId,
    coalesce(c.config ->> '$.provider', c.source) AS provider,
    c.protocol AS protocol,
    coalesce(c.config ->> '$.sourceAcsUrl', '') AS sourceAcsUrl,
    coalesce(c.config ->> '$.sourceEntityId', '') AS sourceEntityId,
    coalesce(c.config ->> '$.sourceRedirectUri', '') AS sourceRedirectUri,
    coalesce(c.config ->> '$.customAcsUrl', '') AS customAcsUrl,
    coalesce(c.config ->> '$.customEntityId', '') AS customEntityId,
    coalesce(c.config ->> '$.customRedirectUri', '') AS customRedirectUri,
    coalesce(c.config ->> '$.workosConnectionId', '') AS workosConnectionId,
    coalesce(c.config ->> '$.workosAcsUrl', '') AS workosAcsUrl,
    coalesce(c.config ->> '$.cutoverState', '') AS cutoverState,
    coalesce(c.config ->> '$.notes', '') AS notes
FROM sso_connections c
LEFT JOIN organizations o ON o.id = c.organization_id
WHERE coalesce(c.config ->> '$.sourceAcsUrl', c.config ->> '$.sourceEntityId',
               c.config ->> '$.sourceRedirectUri', c.config ->> '$.cutoverState') IS NOT NULL
-- SAML before OIDC, as the package lists them (saml_connections.csv, then
-- oidc_connections.csv), so that a package read back lists them alike.
ORDER BY c.protocol DESC, c.id;
