INSERT INTO seed_users (source_id, row_number, email_raw, first_name, last_name, external_id, username) VALUES
  ('ok', 2, 'ada@example.com', 'Ada', 'Lovelace', 'ext-1', 'ada'),
  ('email_space', 3, ' bob@example.com ', 'Bob', NULL, NULL, NULL),
  ('name_tab', 4, 'cy@example.com', 'Cy' || char(9), ' Young', NULL, NULL),
  ('ext_nbsp', 5, 'di@example.com', NULL, NULL, 'ext-4' || char(160), NULL),
  ('user_bom', 6, 'ed@example.com', NULL, NULL, NULL, char(65279) || 'ed');
