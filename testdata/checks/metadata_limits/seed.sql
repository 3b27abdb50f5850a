-- ok: ordinary metadata. Bad: 51 keys, a 41-character key, a 601-character
-- value, an array, invalid JSON. Exactly 50 keys, 40 and 600 are fine.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 51)
INSERT INTO seed_users (source_id, row_number, email_raw, metadata)
SELECT 'keys_51', 3, 'bob@example.com', json_group_object('k' || i, 'v') FROM n
UNION ALL SELECT 'keys_50', 4, 'bo@example.com', json_group_object('k' || i, 'v') FROM n WHERE i <= 50;
INSERT INTO seed_users (source_id, row_number, email_raw, metadata) VALUES
  ('ok', 2, 'ada@example.com', '{"clerk_user_id":"user_2abc","plan":"pro"}'),
  ('long_key', 5, 'cy@example.com', json_object(printf('%.41c', 'k'), 'v', printf('%.40c', 'j'), 'v')),
  ('long_value', 6, 'di@example.com', json_object('bio', printf('%.601c', 'b'), 'ok', printf('%.600c', 'c'))),
  ('array', 7, 'ed@example.com', '["a","b"]'),
  ('broken', 8, 'fa@example.com', '{"a":');
-- Values that are not strings; a string with a colon in it is fine.
INSERT INTO seed_users (source_id, row_number, email_raw, metadata) VALUES
  ('ok_colon', 9, 'ga@example.com', '{"url":"https://example.com/a:b","note":"x: 1"}'),
  ('number', 10, 'ha@example.com', '{"age":42,"score":1.5}'),
  ('bool_null', 11, 'ia@example.com', '{"vip":true,"gone":null,"name":"Cy"}'),
  ('nested', 12, 'ja@example.com', '{"address":{"city":"Paris"},"tags":["a"]}'),
  ('spaced', 13, 'ka@example.com', '{"n": 7, "s" : "ok"}'),
  ('escaped', 14, 'la@example.com', '{"quote":"say \"hi\"","é":"\u00e9t\u00e9"}');
