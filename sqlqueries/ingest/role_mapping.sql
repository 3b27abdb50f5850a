-- name: role_mapping
-- description: Turns the role-mapping lines of one ingest run into role
--   assignments. A line without an organization gives the role in every
--   organization the user belongs to; a line with org_id or org_external_id
--   gives it in that organization only. When the source was staged before,
--   role_mapping_prune.sql has removed the earlier mapping's assignments.
-- params: :run_id, :source, :tenant, :now

-- Each line with its staged user and organization, looked up once, in file
-- order (see org_mapping.sql).
DROP TABLE IF EXISTS temp.role_lines;
CREATE TEMP TABLE role_lines AS
SELECT r.file, r.row_number, r.source_user_id, r.role_slug, r.org_id, r.org_external_id,
       u.id AS user_id, o.id AS organization_id, o.org_key
FROM role_mapping_rows r
LEFT JOIN users u ON u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id
LEFT JOIN organizations o
       ON o.org_key = CASE WHEN r.org_id IS NOT NULL THEN 'id:' || r.org_id
                           WHEN r.org_external_id IS NOT NULL THEN 'ext:' || r.org_external_id END
WHERE +r.ingest_run_id = :run_id;

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'role_mapping_unknown_user',
       'role mapping names user ' || l.source_user_id || ', who is not staged; the role is not assigned',
       'role_mapping', l.source_user_id, l.file, l.row_number, :now
FROM role_lines l
WHERE l.user_id IS NULL;

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'role_mapping_unknown_org',
       'role mapping names organization ' || coalesce(l.org_id, l.org_external_id) || ', which nothing stages; the role is not assigned',
       'role_mapping', l.source_user_id, l.file, l.row_number, :now
FROM role_lines l
WHERE (l.org_id IS NOT NULL OR l.org_external_id IS NOT NULL) AND l.organization_id IS NULL;

INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, ingest_run_id, row_number)
SELECT l.user_id, l.role_slug, l.organization_id, coalesce(l.org_key, ''), :source, :run_id, min(l.row_number)
FROM role_lines l
WHERE l.user_id IS NOT NULL AND l.role_slug <> ''
  AND (l.organization_id IS NOT NULL OR (l.org_id IS NULL AND l.org_external_id IS NULL))
GROUP BY l.user_id, l.role_slug, l.organization_id
ON CONFLICT (user_id, role_slug, scope_key) DO NOTHING;

DROP TABLE temp.role_lines;
