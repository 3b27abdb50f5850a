INSERT INTO seed_users (source_id, row_number, email_raw, password_hash, password_hash_type) VALUES
  ('ok', 2, 'ada@example.com', '$2a$10$fgPOubgd.pOKuzKJ4Ha6/.d7PPwP4KlQkAWmt8D0UnbmiBq0I1kra', 'bcrypt'),
  ('ok_none', 3, 'bob@example.com', NULL, NULL),
  ('no_type', 4, 'cy@example.com', '$2a$10$fgPOubgd.pOKuzKJ4Ha6/.d7PPwP4KlQkAWmt8D0UnbmiBq0I1kra', NULL),
  ('no_hash', 5, 'di@example.com', NULL, 'firebase-scrypt'),
  ('empty_hash', 6, 'ed@example.com', '', 'bcrypt');
