-- Three clerk users share one address in different cases; two auth0 users in
-- one tenant share another; the same address in two tenants is not a
-- within-source duplicate.
INSERT INTO seed_users (source, source_tenant, source_id, row_number, email_raw) VALUES
  ('clerk', '', 'user_1', 2, 'Ada@Example.com'),
  ('clerk', '', 'user_2', 5, 'ada@example.com'),
  ('clerk', '', 'user_3', 9, 'ADA@EXAMPLE.COM'),
  ('clerk', '', 'user_4', 10, 'bob@example.com'),
  ('auth0', 'eu', 'auth0|1', 1, 'cy@example.com'),
  ('auth0', 'eu', 'auth0|2', 2, 'cy@example.com'),
  ('auth0', 'us', 'auth0|3', 1, 'di@example.com'),
  ('auth0', 'eu', 'auth0|4', 3, 'di@example.com');
