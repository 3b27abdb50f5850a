-- name: record_fixes
-- description: Runs one fix (its SELECT of id, column_name, before and
--   after, without comments or semicolon, fills the fix placeholder below)
--   and records every change it would make, value before and after, under
--   the fix run: the audit trail that --undo-fixes reads back.
INSERT INTO fixes (fix_run_id, fix, entity, entity_id, column_name, before, after, applied_at)
SELECT :run, :fix, :entity, c.id, c.column_name, c.before, c.after, :now
FROM (
{{fix}}
) c
WHERE c.after IS NOT c.before;
