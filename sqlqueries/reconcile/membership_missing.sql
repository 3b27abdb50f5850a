-- name: membership_missing
-- entity: membership
-- kind: missing
-- description: An imported membership that WorkOS no longer has (its
--   organization's memberships were read, in every status, and it is not
--   among them; or the organization itself is gone).
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'membership', im.staged_id, im.workos_id, 'missing', 'error', NULL,
       im.email || ' in ' || im.org_key, NULL,
       'WorkOS has no membership ' || im.workos_id || ' (' || im.email || ' in ' || im.org_key || ')'
       || CASE WHEN o.id IS NULL THEN ': WorkOS has no organization ' || coalesce(im.org_workos_id, '?') || ' either' ELSE '' END
FROM reconcile_imported_memberships im
LEFT JOIN reconcile_workos_organizations o ON o.id = im.org_workos_id
WHERE NOT EXISTS (SELECT 1 FROM reconcile_workos_memberships w WHERE w.id = im.workos_id);
