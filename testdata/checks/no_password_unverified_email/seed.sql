INSERT INTO seed_users (source_id, row_number, email_raw, email_verified, password_hash, password_hash_type, password) VALUES
  ('hash_unverified', 2, 'ada@example.com', 0, '$2a$10$fgPOubgd.pOKuzKJ4Ha6/.d7PPwP4KlQkAWmt8D0UnbmiBq0I1kra', 'bcrypt', NULL),
  ('nopw_verified', 3, 'bob@example.com', 1, NULL, NULL, NULL),
  ('nopw_unverified', 4, 'cy@example.com', 0, NULL, NULL, NULL),
  ('nopw_unknown', 5, 'di@example.com', NULL, NULL, NULL, NULL),
  ('plaintext_unverified', 6, 'ed@example.com', 0, NULL, NULL, 'pw');
