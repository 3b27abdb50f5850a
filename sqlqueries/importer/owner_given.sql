-- name: owner_given
-- description: The staged user an earlier run gave this WorkOS user
--   (:workos_id) to, other than the row at hand (:item_id): two staged
--   people who share an address never become one WorkOS user. Read by the
--   index on import_items.workos_id, never by a scan of every row.
SELECT u.id, u.source_id
FROM import_items i JOIN users u ON u.id = i.entity_id
WHERE i.workos_id = :workos_id AND i.entity = 'user' AND i.id <> :item_id
ORDER BY i.id LIMIT 1;
