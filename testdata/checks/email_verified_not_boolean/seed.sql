INSERT INTO seed_users (source_id, row_number, email_raw, email_verified) VALUES
  ('one', 2, 'ada@example.com', 1),
  ('zero', 3, 'bob@example.com', 0),
  ('null', 4, 'cy@example.com', NULL),
  ('true', 5, 'di@example.com', 'true'),
  ('no', 6, 'ed@example.com', 'No'),
  ('maybe', 7, 'fa@example.com', 'maybe');
