-- name: role_mapping_prune
-- description: Runs after role_mapping.sql when the source was staged
--   before: a role mapping is replaced as a whole, so the assignments the
--   earlier one made and this one does not give go. The ones it gives
--   again were kept in place by role_mapping.sql, which gave them this
--   run, rather than all deleted and inserted again: a re-ingest whose
--   mapping barely changed then rewrites no index entry. (On a source's
--   first run there are none, and mig skips this file.)
--   With :redo_only 1 (role_mapping_diff.sql) only the users whose lines
--   were applied again are pruned.
-- after: ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :now, :redo_only

DELETE FROM role_assignments
WHERE source = :source AND ingest_run_id IS NOT :run_id
  AND user_id IN (SELECT id FROM users WHERE :redo_only = 0 AND source = :source AND source_tenant = :tenant
                  UNION ALL
                  SELECT u.id FROM temp.mapping_redo r
                  CROSS JOIN users u ON u.source = :source AND u.source_tenant = :tenant AND u.source_id = r.source_user_id
                  WHERE :redo_only = 1 AND r.kind = 'role');
