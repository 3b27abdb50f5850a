-- name: owner_unanswered
-- description: A staged user with the same address (:email_key, trimmed
--   and lower-cased) whose create got no answer, other than the row at hand
--   (:item_id): that create may have made this very WorkOS user. Read by
--   the index on import_items' status.
SELECT u.id, u.source_id
FROM import_items i INDEXED BY import_items_status JOIN users u ON u.id = i.entity_id
WHERE i.entity = 'user' AND i.status = 'failed' AND i.error_code IN ('no_answer', 'invalid_answer')
  AND i.id <> :item_id AND lower(trim(u.email)) = :email_key
ORDER BY i.id LIMIT 1;
