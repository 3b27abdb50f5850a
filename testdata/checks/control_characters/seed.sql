-- issue 11: NUL bytes and control characters from Clerk, package and CSV
-- exports were staged without a word. Found: a NUL in a first name, an
-- escape in a last name, DEL in an external id, a C1 control (U+0085) in a
-- username, a NUL in an address, a tab in a name, and in metadata: a NUL in
-- a value, a control character in a key, and a user with both a field and
-- a metadata finding (two findings). Not found: a line break and a tab in a
-- metadata value, accents and other scripts, an emoji.
INSERT INTO seed_users (source_id, row_number, email_raw, first_name, last_name, external_id, username, metadata) VALUES
  ('ok_plain', 2, 'ada@example.com', 'Ada', 'Lovelace', 'ext-1', 'ada', '{"team":"core"}'),
  ('ok_scripts', 3, 'zoe@example.com', 'Zoë', '李', 'ext-2', 'zoë😀', '{"bio":"line one\nline two\tend"}'),
  ('nul_first', 4, 'bob@example.com', 'Bo' || char(0) || 'b', 'Brown', NULL, NULL, NULL),
  ('esc_last', 5, 'cy@example.com', 'Cy', char(27) || '[31mYoung', NULL, NULL, NULL),
  ('del_ext', 6, 'di@example.com', 'Di', NULL, 'ext-' || char(127), NULL, NULL),
  ('c1_username', 7, 'ed@example.com', 'Ed', NULL, NULL, 'ed' || char(133), NULL),
  ('nul_email', 8, 'fay' || char(0) || '@example.com', 'Fay', NULL, NULL, NULL, NULL),
  ('tab_name', 9, 'gus@example.com', 'Gus' || char(9) || 'Tav', NULL, NULL, NULL, NULL),
  ('meta_value', 10, 'hal@example.com', 'Hal', NULL, NULL, NULL, '{"note":"a\u0000b","ok":"x"}'),
  ('meta_key', 11, 'ida@example.com', 'Ida', NULL, NULL, NULL, '{"k\u001b":"v"}'),
  ('both', 12, 'jo@example.com', 'Jo' || char(7), NULL, NULL, NULL, '{"b":"\u0085","a":"\u0001"}');
