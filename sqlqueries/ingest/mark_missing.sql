-- name: mark_missing
-- description: Marks missing the users of a source that this run's
--   export no longer has: those not in temp.users_seen. The source's ids
--   are read off the source key index, and only those not seen are looked
--   up in the table.
-- binds: positional, by the Go code that prepares it

UPDATE users SET change = 'missing'
WHERE id IN (SELECT id FROM users WHERE source = ?1 AND source_tenant = ?2
             AND source_id NOT IN (SELECT source_id FROM temp.users_seen))
  AND change <> 'missing';
