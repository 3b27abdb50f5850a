-- name: exclude_match_keys
-- description: The staged users that `mig exclude --id`, `--email` and
--   `--file` name: one row per key and user it matches, by the key's index
--   in :keys. An email key matches users.email, the normalised address
--   (emails are normalised by the caller as ingest normalises them); an id
--   key matches the source's own user id (source_id) in every source and
--   tenant staged, which :sources lists, so that the users_source_key index
--   answers each key instead of a scan.
-- params: :keys, a JSON array of [kind, value] with kind 'id' or 'email',
--   and :sources, a JSON array of [source, source_tenant]
SELECT k.key AS idx, u.id AS user_id
FROM json_each(:keys) k
JOIN users u ON u.email = k.value ->> 1
WHERE k.value ->> 0 = 'email'
UNION ALL
SELECT k.key, u.id
FROM json_each(:keys) k, json_each(:sources) s
JOIN users u ON u.source = s.value ->> 0 AND u.source_tenant = s.value ->> 1 AND u.source_id = k.value ->> 1
WHERE k.value ->> 0 = 'id'
ORDER BY 1, 2;
