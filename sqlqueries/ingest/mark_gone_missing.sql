-- name: mark_gone_missing
-- description: The users a re-ingest that matched record digests finds
--   missing: of the users whose records did not match (temp.users_gone,
--   every user of the last run's set that no record of the new file
--   matched), those no record of the new file named either
--   (temp.users_seen, the records decoded). Noted in temp.users_lost, as
--   mark_missing.sql does; mark_lost_missing.sql marks them.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

-- The gone users (a few percent) drive it (CROSS JOIN keeps the order, +
-- keeps the source key index out): walking the source key index instead
-- visits every user of the source.
INSERT INTO temp.users_lost (source_id)
SELECT u.source_id FROM temp.users_gone g CROSS JOIN users u ON u.id = g.id
WHERE +u.source = ?1 AND +u.source_tenant = ?2 AND u.change <> 'missing'
  AND u.source_id NOT IN (SELECT source_id FROM temp.users_seen);
