-- name: userRows
-- files: users.csv, workos_upload/users.csv
-- description: One row per staged user, in staging order, with every user
--   column of users.csv and of the WorkOS user upload template. emit merges
--   it by user id with membershipRows and roleAssignmentRows (both in user
--   order) to write users.csv, organization_memberships.csv,
--   user_role_assignments.csv and the upload users and memberships: one pass
--   over each table instead of a lookup per row, which at a million users is
--   the difference between seconds and tens of seconds.
--   Users that their source's latest export no longer has (change =
--   'missing') are left out, and so are users excluded with `mig exclude`
--   (skippedUsers lists them); the manifest says how many. upload_user_id is
--   the external id, else the source's own id; the upload files list each
--   user_id once (see uploadRepeat). workos_id is the WorkOS user id once the
--   user is imported. email is the address as staged (email_raw, after
--   any fixes), never lower-cased by emit: users.email is the normalised
--   key that duplicates are compared by.
SELECT
    u.id                                  AS id,
    coalesce(u.email_raw, u.email, '')    AS email,
    coalesce(u.password, '')              AS password,
    coalesce(u.password_hash, '')         AS password_hash,
    coalesce(u.password_hash_type, '')    AS password_hash_type,
    coalesce(u.first_name, '')            AS first_name,
    coalesce(u.last_name, '')             AS last_name,
    CASE u.email_verified WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END AS email_verified,
    coalesce(u.external_id, '')           AS external_id,
    CASE WHEN u.metadata IN ('', '{}') THEN '' ELSE u.metadata END AS metadata,
    coalesce(nullif(u.external_id, ''), u.source_id) AS upload_user_id,
    coalesce(iu.workos_id, '')            AS workos_id
FROM users u
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = u.id
WHERE u.change <> 'missing' AND u.id NOT IN (SELECT user_id FROM excluded_users)
ORDER BY u.id;
