-- name: drop_mapping_warnings
-- description: Removes the warnings earlier runs of the source wrote for one
--   mapping (:kind 'org' or 'role', view mapping_warnings): all of them when
--   the run restates that mapping as a whole or does not read it at all
--   (:redo_only 0), those of the users whose lines the mapping diff applies
--   again when it does not (:redo_only 1). The warnings this run writes stay.
-- after: ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :kind, :redo_only

DELETE FROM warnings
WHERE id IN (SELECT w.id FROM mapping_warnings w
             WHERE w.source = :source AND w.source_tenant = :tenant AND w.kind = :kind AND w.ingest_run_id <> :run_id
               AND (:redo_only = 0 OR w.source_id IS NULL
                    OR w.source_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = :kind)));
