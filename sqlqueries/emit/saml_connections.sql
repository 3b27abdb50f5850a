-- name: samlConnections
-- file: sso/saml_connections.csv
-- description: SAML connections for handoff. sso_connections.config holds
--   the non-secret columns under their CSV names; secrets come from
--   sso_connections.secrets and only with --include-secrets.
-- params: :include_secrets
SELECT
    c.name AS name,
    coalesce(o.name, '') AS organizationName,
    coalesce(o.workos_org_id, '') AS organizationId,
    coalesce(o.external_id, '') AS organizationExternalId,
    coalesce((SELECT group_concat(d.value, ',') FROM json_each(c.domains) d), '') AS domains,
    coalesce(c.config ->> '$.idpEntityId', '') AS idpEntityId,
    coalesce(c.config ->> '$.idpUrl', '') AS idpUrl,
    coalesce(c.config ->> '$.x509Cert', '') AS x509Cert,
    coalesce(c.config ->> '$.idpMetadataUrl', '') AS idpMetadataUrl,
    coalesce(c.config ->> '$.customEntityId', '') AS customEntityId,
    coalesce(c.config ->> '$.customAcsUrl', '') AS customAcsUrl,
    coalesce(c.config ->> '$.idpIdAttribute', '') AS idpIdAttribute,
    coalesce(c.config ->> '$.emailAttribute', '') AS emailAttribute,
    coalesce(c.config ->> '$.firstNameAttribute', '') AS firstNameAttribute,
    coalesce(c.config ->> '$.lastNameAttribute', '') AS lastNameAttribute,
    coalesce(c.config ->> '$.nameAttribute', '') AS nameAttribute,
    CASE json_type(c.config, '$.idpInitiatedEnabled')
        WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
        ELSE coalesce(c.config ->> '$.idpInitiatedEnabled', '') END AS idpInitiatedEnabled,
    CASE WHEN :include_secrets THEN coalesce(c.secrets ->> '$.requestSigningKey', '') ELSE '' END AS requestSigningKey,
    CASE WHEN :include_secrets THEN coalesce(c.secrets ->> '$.assertionEncryptionKey', '') ELSE '' END AS assertionEncryptionKey,
    CASE WHEN :include_secrets THEN coalesce(c.secrets ->> '$.nameIdEncryptionKey', '') ELSE '' END AS nameIdEncryptionKey,
    coalesce(c.config ->> '$.externalId', c.source_connection_id) AS externalId
FROM sso_connections c
LEFT JOIN organizations o ON o.id = c.organization_id
WHERE c.protocol = 'saml'
ORDER BY c.id;
