-- name: handoffNotes
-- file: sso/handoff_notes.md
-- description: The connections listed in sso/handoff_notes.md, one per row.
SELECT c.protocol, c.name, coalesce(o.name, o.external_id, o.workos_org_id, '') AS organization,
       coalesce(c.config ->> '$.externalId', c.source_connection_id) AS external_id,
       c.secrets IS NOT NULL AS has_secrets
FROM sso_connections c
LEFT JOIN organizations o ON o.id = c.organization_id
ORDER BY c.protocol DESC, c.id;
