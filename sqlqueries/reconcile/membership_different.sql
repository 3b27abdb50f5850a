-- name: membership_different
-- entity: membership
-- kind: different
-- description: An imported membership that WorkOS holds otherwise: for
--   another user or organization than the ones mig recorded, not active, or
--   with other role slugs than staged (compared as sorted sets; a membership
--   staged without a role gets the environment's default role, which is not
--   compared). For a membership mig adopted, whose roles it left as they
--   were, a difference is information only.
WITH pairs AS MATERIALIZED (
    SELECT im.staged_id, im.workos_id, im.email, im.org_key, im.role_slugs, im.user_workos_id, im.org_workos_id,
           w.user_id AS w_user_id, w.organization_id AS w_org_id, w.status AS w_status, w.role_slugs AS w_role_slugs,
           CASE WHEN im.outcome = 'adopted' THEN 'info' ELSE 'error' END AS severity,
           CASE
               WHEN im.outcome = 'adopted' THEN ' (adopted: mig left its roles as they were)'
               WHEN im.sent_current = 0 THEN ' (changed in staging since it was imported: mig import sends it)'
               ELSE ''
           END AS note
    FROM reconcile_imported_memberships im
    JOIN reconcile_workos_memberships w ON w.id = im.workos_id
),
diffs (staged_id, workos_id, severity, note, field, staged_value, workos_value) AS (
    SELECT staged_id, workos_id, 'error', '', 'user_id', user_workos_id, w_user_id
    FROM pairs WHERE user_workos_id IS NOT w_user_id
    UNION ALL
    SELECT staged_id, workos_id, 'error', '', 'organization_id', org_workos_id, w_org_id
    FROM pairs WHERE org_workos_id IS NOT w_org_id
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'status', 'active', w_status
    FROM pairs WHERE w_status <> 'active'
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'role_slugs', json(role_slugs), json(w_role_slugs)
    FROM pairs WHERE json_array_length(role_slugs) > 0 AND json(role_slugs) <> json(w_role_slugs)
)
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'membership', d.staged_id, d.workos_id, 'different', d.severity, d.field, d.staged_value, d.workos_value,
       'WorkOS membership ' || d.workos_id || ' (' || p.email || ' in ' || p.org_key || '): ' || d.field || ' is '
       || quote(d.workos_value) || ', staged ' || quote(d.staged_value) || d.note
FROM diffs d JOIN pairs p ON p.workos_id = d.workos_id;
