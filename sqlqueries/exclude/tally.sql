-- name: exclude_tally
-- description: What `mig exclude` is about to change, for the picked users
--   (:picks, a JSON array of [user_id, how]) that are still staged: how many
--   are excluded already, and how many WorkOS has or may have (imported, or
--   in flight when an import stopped), which an exclusion does not take
--   back.
-- params: :picks
SELECT count(*) AS matched,
       coalesce(sum(x.user_id IS NOT NULL), 0) AS excluded,
       coalesce(sum(i.status = 'done'), 0) AS in_workos,
       coalesce(sum(i.status = 'in_flight'), 0) AS in_flight
FROM json_each(:picks) p
JOIN users u ON u.id = p.value ->> 0
LEFT JOIN excluded_users x ON x.user_id = u.id
LEFT JOIN import_items i ON i.entity = 'user' AND i.entity_id = u.id;
