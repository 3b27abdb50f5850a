-- name: apply_fix
-- description: Writes the values one fix recorded for one column into
--   the rows they belong to. The table and column placeholders are filled
--   with names checked against the schema first.
UPDATE {{table}} SET {{column}} = x.after
FROM fixes x
WHERE x.fix_run_id = :run AND x.fix = :fix AND x.column_name = :column AND x.entity_id = {{table}}.id;
