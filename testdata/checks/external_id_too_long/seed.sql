INSERT INTO seed_users (source_id, row_number, email_raw, external_id) VALUES
  ('ok_128', 2, 'ada@example.com', printf('%.128c', 'x')),
  ('bad_129', 3, 'bob@example.com', printf('%.129c', 'x')),
  ('ok_128_chars_multibyte', 4, 'cy@example.com', replace(printf('%.128c', 'x'), 'x', 'é'));
