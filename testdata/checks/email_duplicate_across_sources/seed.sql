INSERT INTO seed_users (source, source_tenant, source_id, row_number, email_raw) VALUES
  ('clerk', '', 'user_1', 2, 'ada@example.com'),
  ('auth0', '', 'auth0|1', 1, 'Ada@example.com'),
  ('clerk', '', 'user_2', 3, 'bob@example.com'),
  ('auth0', 'eu', 'auth0|2', 1, 'cy@example.com'),
  ('auth0', 'us', 'auth0|3', 1, 'cy@example.com'),
  ('clerk', '', 'user_3', 4, 'di@example.com'),
  ('clerk', '', 'user_4', 5, 'di@example.com');
