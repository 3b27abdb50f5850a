-- name: skip_check_errors
-- description: For `mig import --ignore-check-errors`: skip every import row
--   an open error finding of `mig check` concerns, with the finding as its
--   reason. A finding names the row it concerns (entity, entity_id); a
--   finding on a mapping line concerns the user the line maps (a user
--   imported without a membership the source gave it would be silently
--   wrong), and one on a role assignment the memberships that would carry
--   the role. The rows that depend on a skipped row (a user's memberships
--   and factor) are skipped with it when the import reaches them. Rows done
--   already, or in flight after a crash (WorkOS may hold them), are left
--   alone. populate.sql makes these rows pending again at the next import,
--   so a fixed finding no longer holds its rows back.
WITH affected (entity, entity_id, reason) AS (
    SELECT f.entity, f.entity_id, f.rule || ': ' || f.message
    FROM findings f
    WHERE f.severity = 'error'
      AND f.entity IN ('permission', 'role', 'organization', 'user', 'membership', 'totp')
    UNION ALL
    SELECT 'user', u.id, f.rule || ': ' || f.message
    FROM findings f
    JOIN org_mapping_rows m ON m.id = f.entity_id
    JOIN users u ON u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id
    WHERE f.severity = 'error' AND f.entity = 'org_mapping'
    UNION ALL
    SELECT 'user', u.id, f.rule || ': ' || f.message
    FROM findings f
    JOIN role_mapping_rows m ON m.id = f.entity_id
    JOIN users u ON u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id
    WHERE f.severity = 'error' AND f.entity = 'role_mapping'
    UNION ALL
    SELECT 'membership', ms.id, f.rule || ': ' || f.message
    FROM findings f
    JOIN role_assignments ra ON ra.id = f.entity_id
    JOIN memberships ms ON ms.user_id = ra.user_id AND (ra.organization_id IS NULL OR ms.organization_id = ra.organization_id)
    WHERE f.severity = 'error' AND f.entity = 'role_assignment'
)
UPDATE import_items
SET status = 'skipped', error_code = 'check_error', retryable = 0, http_status = NULL,
    error_subcodes = NULL, request_id = NULL, updated_at = :now,
    message = 'mig check error ' || a.reason || ' (skipped by --ignore-check-errors; fix it and run mig check, and the next mig import sends it)'
FROM (SELECT entity, entity_id, min(reason) AS reason FROM affected GROUP BY entity, entity_id) a
WHERE import_items.entity = a.entity AND import_items.entity_id = a.entity_id
  AND import_items.status IN ('pending', 'failed');
