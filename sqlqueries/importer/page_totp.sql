-- name: page_totp
-- description: One page of TOTP factors to enroll, in item order, with the
--   WorkOS id of their user and whether that user was adopted (then WorkOS
--   may hold a factor of its own already). The email, the factor's label
--   when the source gave none, is the address as staged (see page_user).
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       u.source_id AS user_source_id, coalesce(u.email_raw, u.email, '') AS email,
       t.secret, coalesce(t.issuer, '') AS issuer, coalesce(t.user_label, '') AS user_label,
       coalesce(ui.status, '') AS user_status, coalesce(ui.workos_id, '') AS user_workos_id,
       coalesce(ui.outcome, '') AS user_outcome, coalesce(ui.retryable, 0) AS user_retryable, coalesce(ui.error_code, '') AS user_error
FROM import_items i
JOIN totp_secrets t ON t.id = i.entity_id
JOIN users u ON u.id = t.user_id
LEFT JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = t.user_id
WHERE i.entity = 'totp' AND i.status = :status AND i.id > :after
  AND (:ready_only = 0 OR ui.status = 'done')
ORDER BY i.id LIMIT :limit;
