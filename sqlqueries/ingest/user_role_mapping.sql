-- name: user_role_mapping
-- description: Turns this run's user role-mapping lines into role
--   assignments. Lines are keyed "email:", "ext:" or "id:" (a source
--   user id or a WorkOS user id); a key matching users of several
--   sources gives all of them the role, since they become one WorkOS
--   user.

WITH keyed AS (
    SELECT r.*, substr(r.source_user_id, 1, instr(r.source_user_id, ':') - 1) AS kind,
           substr(r.source_user_id, instr(r.source_user_id, ':') + 1) AS val
    FROM role_mapping_rows r WHERE r.ingest_run_id = :run_id
), matched AS (
    SELECT k.id AS line_id, u.id AS user_id FROM keyed k JOIN users u ON k.kind = 'email' AND u.email = k.val
    UNION
    SELECT k.id, u.id FROM keyed k JOIN users u ON k.kind = 'ext' AND u.external_id = k.val
    UNION
    SELECT k.id, u.id FROM keyed k JOIN users u ON k.kind = 'id' AND u.source_id = k.val
    UNION
    SELECT k.id, i.entity_id FROM keyed k JOIN import_items i ON k.kind = 'id' AND i.entity = 'user' AND i.workos_id = k.val
)
INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, ingest_run_id, row_number)
SELECT m.user_id, k.role_slug, o.id, coalesce(o.org_key, ''), :source, :run_id, min(k.row_number)
FROM keyed k
JOIN matched m ON m.line_id = k.id
LEFT JOIN organizations o ON o.org_key = CASE WHEN k.org_id IS NOT NULL THEN 'id:' || k.org_id
                                              WHEN k.org_external_id IS NOT NULL THEN 'ext:' || k.org_external_id END
WHERE true
GROUP BY m.user_id, k.role_slug, o.id
ON CONFLICT (user_id, role_slug, scope_key) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
