-- name: exclude_undo
-- description: Undo the exclusions of the picked users (:picks, a JSON
--   array of [user_id, how]), or with :all of every excluded user, staged or
--   not, so that the next import sends them. The rows stay, stamped
--   undone_at.
-- params: :picks, :all, :now
UPDATE exclusions SET undone_at = :now
WHERE undone_at IS NULL
  AND (:all OR (source, source_tenant, source_id) IN (
        SELECT u.source, u.source_tenant, u.source_id
        FROM json_each(:picks) p
        JOIN users u ON u.id = p.value ->> 0));
