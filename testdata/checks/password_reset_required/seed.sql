INSERT INTO seed_users (source_id, row_number, email_raw, password_hash, password_hash_type, source_hasher, source_password_digest) VALUES
  ('ok', 2, 'ada@example.com', '$2a$10$fgPOubgd.pOKuzKJ4Ha6/.d7PPwP4KlQkAWmt8D0UnbmiBq0I1kra', 'bcrypt', 'bcrypt', NULL),
  ('md5', 3, 'bob@example.com', NULL, NULL, 'md5', '5f4dcc3b5aa765d61d8327deb882cf99'),
  ('malformed_argon2', 4, 'cy@example.com', NULL, NULL, 'argon2', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ'),
  ('no_hasher', 5, 'di@example.com', NULL, NULL, NULL, 'abc123');
