-- name: org_mapping_prune
-- description: Runs after org_mapping.sql when the source was staged before:
--   memberships the earlier mapping made and the new one no longer has are
--   removed, or kept with a warning when WorkOS already has them. (On a
--   source's first run there is nothing to prune, and mig skips this file.)
--   With :redo_only 1 (a re-ingest that applied its mapping by difference,
--   org_mapping_diff.sql) only the users whose lines it applied again are
--   pruned: the other users' memberships are those the mapping gives again.
--   (Each user set is one arm of a UNION ALL whose :redo_only test SQLite
--   makes once, and CROSS JOIN keeps the order: the redo users are looked
--   up by the source key, not found in a pass over the source's users.)
-- after: ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :now, :redo_only

-- Memberships an earlier mapping of this source made and this one no longer
-- has: gone if WorkOS never got them, kept with a warning if it did.
INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, created_at)
SELECT :run_id, :source, :tenant, 'membership_removed_in_source',
       'the new org mapping no longer puts this user in ' || o.org_key || ', but the membership was imported; remove it in WorkOS by hand if that is intended',
       'membership', u.source_id, :now
FROM memberships m
JOIN users u ON u.id = m.user_id
JOIN organizations o ON o.id = m.organization_id
WHERE m.source = :source AND u.source = :source AND u.source_tenant = :tenant AND m.ingest_run_id < :run_id
  AND (:redo_only = 0 OR u.source_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = 'org'))
  AND EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'membership' AND i.entity_id = m.id AND i.status = 'done');

DELETE FROM memberships
WHERE source = :source AND ingest_run_id < :run_id
  AND user_id IN (SELECT id FROM users WHERE :redo_only = 0 AND source = :source AND source_tenant = :tenant
                  UNION ALL
                  SELECT u.id FROM temp.mapping_redo r
                  CROSS JOIN users u ON u.source = :source AND u.source_tenant = :tenant AND u.source_id = r.source_user_id
                  WHERE :redo_only = 1 AND r.kind = 'org')
  AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'membership' AND i.entity_id = memberships.id AND i.status = 'done');
