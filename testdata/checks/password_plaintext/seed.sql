INSERT INTO seed_users (source, source_id, row_number, email_raw, password, password_hash, password_hash_type) VALUES
  ('csv', 'u1', 2, 'ada@example.com', NULL, NULL, NULL),
  ('csv', 'u2', 3, 'bob@example.com', 'hunter2', NULL, NULL),
  ('csv', 'u3', 4, 'cy@example.com', 'secret', '$2a$10$fgPOubgd.pOKuzKJ4Ha6/.d7PPwP4KlQkAWmt8D0UnbmiBq0I1kra', 'bcrypt');
