-- name: exclude_add
-- description: Exclude the picked users (:picks, a JSON array of [user_id,
--   how], how being the predicate or key that chose the user), keyed by their
--   source identity so that a re-ingest keeps them excluded. A user whose
--   exclusion was undone is excluded again with the new reason; one excluded
--   already keeps its exclusion as it is (reason and time), so that running
--   the same command twice changes nothing.
-- params: :picks, :reason, :now
INSERT INTO exclusions (source, source_tenant, source_id, reason, predicate, excluded_at)
SELECT u.source, u.source_tenant, u.source_id, :reason, p.value ->> 1, :now
FROM json_each(:picks) p
JOIN users u ON u.id = p.value ->> 0
WHERE true
ON CONFLICT (source, source_tenant, source_id) DO UPDATE SET
    reason = excluded.reason, predicate = excluded.predicate,
    excluded_at = excluded.excluded_at, undone_at = NULL
WHERE exclusions.undone_at IS NOT NULL;
