-- name: rollback_mark_in_flight
-- description: The rows of a page (:ids, a JSON array of rollback_items
--   ids) are about to be sent: a row found in flight after a crash is
--   looked up again (gone already is deleted), never counted twice.
UPDATE rollback_items SET status = 'in_flight', rollback_run_id = :run_id, updated_at = :now
WHERE id IN (SELECT value FROM json_each(:ids));
