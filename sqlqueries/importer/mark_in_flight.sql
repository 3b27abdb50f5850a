-- name: mark_in_flight
-- description: Marks the rows of a page in flight, in one transaction,
--   before their requests are sent: a row found in flight when a run
--   starts may have been sent by a run that died, and is looked up in
--   WorkOS before anything is created. Its parameters are the run, the
--   time and the page's ids, which the caller expands (sqlx.In); this
--   header holds no question mark, since sqlx.In would count it.
UPDATE import_items
SET status = 'in_flight', attempts = attempts + 1, import_run_id = ?, updated_at = ?
WHERE id IN (?);
