-- name: retry_failed
-- description: Make failed rows pending again for `mig import --retry-failed`
--   (:all = 0: only those whose failure may pass on its own, a 429, a 5xx or
--   no answer) or `--retry-failed --all` (:all = 1: every failed row).
UPDATE import_items SET status = 'pending', updated_at = :now
WHERE status = 'failed' AND (:all = 1 OR retryable = 1)
  AND (:entity = '' OR entity = :entity);
