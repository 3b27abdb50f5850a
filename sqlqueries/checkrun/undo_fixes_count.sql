-- name: undo_fixes_count
-- description: How many values of one column the fixes not undone yet
--   changed (:entity, :column): what --undo-fixes should restore.
WITH g AS (
    SELECT entity_id FROM fixes
    WHERE undone_at IS NULL AND entity = :entity AND column_name = :column
    GROUP BY entity_id
)
SELECT count(*) FROM g;
