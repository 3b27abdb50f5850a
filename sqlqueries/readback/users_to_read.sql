-- name: readback_users_to_read
-- description: One page of WorkOS users whose factors mig reconcile reads,
--   in id order after :after: every user this staging database imported
--   (:all = 1, one read each, so that a factor enrolled since is seen), or
--   only those with an imported TOTP factor (:all = 0). Read in the scratch
--   table's order (a CROSS JOIN keeps it outermost), so a page starts where
--   the last one ended.
SELECT w.id
FROM reconcile_workos_users w
CROSS JOIN import_items i ON i.entity = 'user' AND i.status = 'done' AND i.workos_id = w.id
WHERE w.id > :after AND w.factors_read = 0
  AND (:all = 1 OR EXISTS (SELECT 1 FROM totp_secrets s
                           CROSS JOIN import_items t ON t.entity = 'totp' AND t.entity_id = s.id AND t.status = 'done'
                           WHERE s.user_id = i.entity_id))
ORDER BY w.id
LIMIT :limit;
