-- name: retry_failed
-- description: Make failed rows pending again for `mig import --retry-failed`
--   (:all = 0: only those whose failure may pass on its own, a 429, a 5xx or
--   no answer) or `--retry-failed --all` (:all = 1: every failed row). A row
--   that got no answer, or an answer without the created object's id, may
--   be in WorkOS: it goes back in flight, so that the retry looks its object
--   up before creating it.
UPDATE import_items
SET status = CASE WHEN error_code IN ('no_answer', 'invalid_answer') THEN 'in_flight' ELSE 'pending' END,
    updated_at = :now
WHERE status = 'failed' AND (:all = 1 OR retryable = 1)
  AND (:entity = '' OR entity = :entity);
