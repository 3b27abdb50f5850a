-- name: organizations_by_id
-- description: The WorkOS organizations the staging names by id (org_id in
--   an org mapping, or mig import --org-id): a run looks each up and never
--   creates one, so a rehearsal against an empty emulator adds them first.
SELECT DISTINCT workos_org_id
FROM organizations
WHERE resolution = 'org_id' AND workos_org_id IS NOT NULL
ORDER BY workos_org_id;
