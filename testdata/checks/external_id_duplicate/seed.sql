INSERT INTO seed_users (source, source_id, row_number, email_raw, external_id) VALUES
  ('clerk', 'user_1', 2, 'ada@example.com', 'ext-1'),
  ('clerk', 'user_2', 3, 'bob@example.com', 'ext-1'),
  ('auth0', 'auth0|1', 1, 'cy@example.com', 'ext-1'),
  ('clerk', 'user_3', 4, 'di@example.com', 'ext-2'),
  ('clerk', 'user_4', 5, 'ed@example.com', NULL),
  ('clerk', 'user_5', 6, 'fa@example.com', NULL);
