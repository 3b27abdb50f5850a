-- name: customAttributeMappings
-- file: sso/custom_attribute_mappings.csv
-- description: One row per custom attribute mapping of a connection.
--   sso_connections.attribute_mappings is a JSON array of objects keyed by
--   this file's column names (providerType, userPoolAttribute, idpClaim).
--   SAML connections first, as in proxy_routes.sql.
SELECT
    coalesce(c.config ->> '$.externalId', c.source_connection_id) AS externalId,
    coalesce(o.external_id, '') AS organizationExternalId,
    coalesce(a.value ->> '$.providerType', '') AS providerType,
    coalesce(a.value ->> '$.userPoolAttribute', '') AS userPoolAttribute,
    coalesce(a.value ->> '$.idpClaim', '') AS idpClaim
FROM sso_connections c
JOIN json_each(c.attribute_mappings) a
LEFT JOIN organizations o ON o.id = c.organization_id
ORDER BY c.protocol DESC, c.id, a.key;
