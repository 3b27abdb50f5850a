-- name: readback_users_to_read
-- description: One page of WorkOS users whose factors mig reconcile reads,
--   in id order after :after: every user this staging database imported
--   (:all = 1, one read each, so that a factor enrolled since is seen), or
--   only those with an imported TOTP factor (:all = 0).
SELECT w.id
FROM reconcile_workos_users w
JOIN import_items i ON i.entity = 'user' AND i.status = 'done' AND i.workos_id = w.id
WHERE w.factors_read = 0 AND w.id > :after
  AND (:all = 1 OR EXISTS (SELECT 1 FROM import_items t JOIN totp_secrets s ON s.id = t.entity_id
                           WHERE t.entity = 'totp' AND t.status = 'done' AND s.user_id = i.entity_id))
ORDER BY w.id
LIMIT :limit;
