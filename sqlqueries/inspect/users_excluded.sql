-- name: users_excluded
-- description: The users set aside with `mig exclude`, with the reason and
--   how each was chosen. No import sends them, nor their memberships and
--   TOTP factors; `mig exclude --undo` makes them importable again.
SELECT user_id, source, source_tenant, source_id, email, reason, predicate, excluded_at,
       coalesce(import_status, '') AS import_status
FROM excluded_users
ORDER BY user_id;
