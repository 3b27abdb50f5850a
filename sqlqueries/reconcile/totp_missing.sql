-- name: totp_missing
-- entity: totp
-- kind: missing
-- description: An imported TOTP factor that its WorkOS user no longer has
--   (the user's factors were read; a user WorkOS lacks is user_missing).
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'totp', it.staged_id, it.workos_id, 'missing', 'error', NULL, NULL, NULL,
       'WorkOS user ' || it.user_workos_id || ' has no factor ' || it.workos_id || ', the TOTP factor mig import recorded ('
       || it.outcome || ') for it'
FROM reconcile_imported_totp it
JOIN reconcile_workos_users u ON u.id = it.user_workos_id AND u.factors_read = 1
WHERE NOT EXISTS (SELECT 1 FROM reconcile_workos_factors f WHERE f.id = it.workos_id);
