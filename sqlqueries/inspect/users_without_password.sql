-- name: users_without_password
-- description: Staged users who will have no password in WorkOS, with the reason, and whether their email is verified (they will need a reset or SSO).
SELECT u.source, u.source_id, u.email, u.email_verified,
       CASE WHEN u.source_password_digest IS NOT NULL THEN 'hasher ' || coalesce(u.source_hasher, '(none)') || ' not importable'
            ELSE 'no password in the export' END AS reason
FROM users u
WHERE u.password_hash IS NULL AND u.password IS NULL
ORDER BY u.source, u.row_number;
