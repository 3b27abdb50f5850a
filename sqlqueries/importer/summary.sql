-- name: import_summary
-- description: Where every import item stands, per entity: what `mig import`
--   prints at the end and writes with --summary. Each row is counted once:
--   succeeded (created by mig), adopted (found in WorkOS: there before, or
--   re-found after a lost answer or a crash), updated, failed, skipped or
--   pending.
SELECT entity,
       count(*) AS total,
       coalesce(sum(status = 'done' AND outcome IS NOT 'adopted' AND outcome IS NOT 'updated'), 0) AS succeeded,
       coalesce(sum(status = 'failed'), 0) AS failed,
       coalesce(sum(status = 'skipped'), 0) AS skipped,
       coalesce(sum(status = 'done' AND outcome = 'adopted'), 0) AS adopted,
       coalesce(sum(status = 'done' AND outcome = 'updated'), 0) AS updated,
       coalesce(sum(status IN ('pending', 'in_flight')), 0) AS pending
FROM import_items
GROUP BY entity;
