-- name: role_mapping
-- description: Turns the role-mapping lines of one ingest run into role
--   assignments. A line without an organization gives the role in every
--   organization the user belongs to; a line with org_id or org_external_id
--   gives it in that organization only. When the source was staged before,
--   an assignment the earlier mapping made and this one gives again is kept
--   and takes this run, and role_mapping_prune.sql then removes the others.
-- params: :run_id, :source, :tenant, :now, :after_row

-- The lines are read in file order, with no temporary copy, and only those
-- with ids above :after_row (see org_mapping.sql).

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'role_mapping_unknown_org',
       'role mapping names organization ' || coalesce(r.org_id, r.org_external_id) || ', which nothing stages; the role is not assigned',
       'role_mapping', r.source_user_id, r.file, r.row_number, :now
FROM role_mapping_rows r
WHERE +r.ingest_run_id = :run_id AND r.id > :after_row AND (r.org_id IS NOT NULL OR r.org_external_id IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM organizations o
                  WHERE o.org_key = CASE WHEN r.org_id IS NOT NULL THEN 'id:' || r.org_id ELSE 'ext:' || r.org_external_id END);

-- One assignment per (user, role, organization scope); lines go in file
-- order, so the first line that gives it is the one recorded. An
-- assignment of an earlier run of the source takes this run's first line;
-- one another source made (mig ingest roles) stays as it is.
INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, ingest_run_id, row_number)
SELECT u.id, r.role_slug, o.id, coalesce(o.org_key, ''), :source, :run_id, r.row_number
FROM role_mapping_rows r
JOIN users u ON u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id
            AND (:any_missing = 0 OR u.change <> 'missing')
LEFT JOIN organizations o
       ON o.org_key = CASE WHEN r.org_id IS NOT NULL THEN 'id:' || r.org_id
                           WHEN r.org_external_id IS NOT NULL THEN 'ext:' || r.org_external_id END
WHERE +r.ingest_run_id = :run_id AND r.id > :after_row AND r.role_slug <> ''
  AND (o.id IS NOT NULL OR (r.org_id IS NULL AND r.org_external_id IS NULL))
ORDER BY r.id
ON CONFLICT (user_id, role_slug, scope_key) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number
WHERE role_assignments.source = excluded.source AND role_assignments.ingest_run_id IS NOT excluded.ingest_run_id;

-- Lines whose user is not staged; skipped, as in org_mapping.sql, when
-- every line made an assignment of its own.
INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'role_mapping_unknown_user',
       'role mapping names user ' || r.source_user_id || ', who is not staged; the role is not assigned',
       'role_mapping', r.source_user_id, r.file, r.row_number, :now
FROM role_mapping_rows r
WHERE (:after_row > 0
       OR (SELECT count(*) FROM role_mapping_rows WHERE +ingest_run_id = :run_id)
          > (SELECT count(*) FROM role_assignments WHERE ingest_run_id = :run_id))
  AND +r.ingest_run_id = :run_id AND r.id > :after_row
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id
                  AND (:any_missing = 0 OR u.change <> 'missing'));
