-- name: uploadRepeat
-- description: Whether a user is left out of the WorkOS upload files
--   because an earlier staged user (lower id, neither missing nor excluded
--   with `mig exclude`) already has the
--   user's upload_user_id as its external id: each user_id appears once
--   there. emit asks only when the external ids it has read so far say it
--   may be so; a million probes of the index would cost a second and more.
-- params: :key, :id
SELECT EXISTS (SELECT 1 FROM users d INDEXED BY users_external_id
               WHERE d.external_id = :key AND d.id < :id AND d.change <> 'missing'
                 AND d.id NOT IN (SELECT user_id FROM excluded_users));
