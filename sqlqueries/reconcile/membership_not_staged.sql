-- name: membership_not_staged
-- entity: membership
-- kind: not_staged
-- description: A WorkOS membership, in an organization this staging
--   database imported, that no staged membership was imported as. For a
--   user mig created or updated that is a difference in its set of
--   memberships (an error); for anyone else, information.
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'membership', NULL, w.id, 'not_staged',
       CASE WHEN iu.outcome IS NOT NULL AND iu.outcome <> 'adopted' THEN 'error' ELSE 'info' END,
       'organization_id', NULL, w.organization_id,
       'WorkOS membership ' || w.id || ' of user ' || w.user_id || coalesce(' (staged user ' || iu.source_id || ', ' || iu.email || ')', '')
       || ' in organization ' || w.organization_id || coalesce(' (' || io.org_key || ')', '')
       || ' is not one this staging database imported'
FROM reconcile_workos_memberships w
LEFT JOIN reconcile_imported_users iu ON iu.workos_id = w.user_id
LEFT JOIN reconcile_imported_organizations io ON io.workos_id = w.organization_id
WHERE NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'membership' AND i.workos_id = w.id);
