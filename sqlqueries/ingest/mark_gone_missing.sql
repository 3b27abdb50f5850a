-- name: mark_gone_missing
-- description: The users a re-ingest that matched record digests finds
--   missing: of the users whose records did not match (temp.users_gone,
--   every user of the last run's set that no record of the new file
--   matched), those no record of the new file named either
--   (temp.users_seen, the records decoded).
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

-- The gone users (a few percent) drive the update: the source key index
-- would walk every user of the source.
UPDATE users SET change = 'missing'
WHERE id IN (SELECT id FROM temp.users_gone)
  AND +source = ?1 AND +source_tenant = ?2
  AND source_id NOT IN (SELECT source_id FROM temp.users_seen)
  AND change <> 'missing';
