-- name: org_id_memberships
-- description: mig import --org-id: the WorkOS organization given by id,
--   and a membership in it for every staged user still in the source, so
--   that they are imported, and resumed, like memberships from an org
--   mapping. Staging them again changes nothing.
INSERT INTO organizations (org_key, resolution, workos_org_id, source)
VALUES ('id:' || :org_id, 'org_id', :org_id, 'import')
ON CONFLICT (org_key) DO NOTHING;

INSERT INTO memberships (user_id, organization_id, source)
SELECT u.id, o.id, 'import'
FROM users u, organizations o
WHERE o.org_key = 'id:' || :org_id AND u.change <> 'missing'
ON CONFLICT (user_id, organization_id) DO NOTHING;
