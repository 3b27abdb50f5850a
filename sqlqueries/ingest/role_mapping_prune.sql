-- name: role_mapping_prune
-- description: Runs before role_mapping.sql when the source was staged
--   before: a role mapping is replaced as a whole, so the assignments the
--   earlier one made go. (On a source's first run there are none, and mig
--   skips this file.)
-- params: :run_id, :source, :tenant, :now

DELETE FROM role_assignments
WHERE source = :source AND user_id IN (SELECT id FROM users WHERE source = :source AND source_tenant = :tenant);
