-- name: role_mapping_prune
-- description: Runs after role_mapping.sql when the source was staged
--   before: a role mapping is replaced as a whole, so the assignments the
--   earlier one made and this one does not give go. The ones it gives
--   again were kept in place by role_mapping.sql, which gave them this
--   run, rather than all deleted and inserted again: a re-ingest whose
--   mapping barely changed then rewrites no index entry. (On a source's
--   first run there are none, and mig skips this file.)
-- params: :run_id, :source, :tenant, :now

DELETE FROM role_assignments
WHERE source = :source AND ingest_run_id IS NOT :run_id
  AND user_id IN (SELECT id FROM users WHERE source = :source AND source_tenant = :tenant);
