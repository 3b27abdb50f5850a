-- name: org_lookup_only
-- severity: warning
-- description: An organization is referenced only by external id, with no
--   name and no org_id. mig cannot create it (WorkOS needs a name), so it can
--   only be looked up: it must already exist in WorkOS with that external id,
--   or every membership in it fails. Give it a name in the mapping to create
--   it, or its org_id if it exists.
SELECT 'organization' AS entity, o.id AS entity_id, o.source, o.external_id AS source_id, o.row_number,
       'organization with external id ' || o.external_id || ' has no name and no org_id: it can only be looked up in WorkOS, ' ||
       'so it must already exist there; ' || (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id) ||
       ' membership(s) depend on it' AS message
FROM organizations o
WHERE o.workos_org_id IS NULL AND nullif(o.name, '') IS NULL AND o.external_id IS NOT NULL;
