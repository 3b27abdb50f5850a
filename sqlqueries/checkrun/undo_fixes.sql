-- name: undo_fixes
-- description: Puts back the values of one column that fixes not undone
--   yet changed: each gets its value from before the first fix, but only
--   while it still holds what the last fix wrote; a value changed since (by
--   a new ingest, say) is left as it is. The table and column placeholders
--   are filled with names checked against the schema first.
WITH g AS (
    SELECT entity_id, min(id) AS first, max(id) AS last FROM fixes
    WHERE undone_at IS NULL AND entity = :entity AND column_name = :column
    GROUP BY entity_id
)
UPDATE {{table}} SET {{column}} = f.before
FROM g JOIN fixes f ON f.id = g.first JOIN fixes l ON l.id = g.last
WHERE {{table}}.id = g.entity_id AND {{table}}.{{column}} IS l.after;
