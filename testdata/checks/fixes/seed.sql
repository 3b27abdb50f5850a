-- Values every safe fix changes, one the lowercase option changes, one
-- invalid hash, and values no fix may touch.
INSERT INTO seed_users (id, source_id, row_number, email_raw, email, first_name, last_name, external_id, username, email_verified, metadata, password_hash_type, password_hash) VALUES
  (1, 'user_1', 2, ' Ada.L@Example.COM' || char(160), 'ada.l@example.com', ' Ada', 'Lovelace ', 'ext-1' || char(9), 'ada', 'true', '{"age":36,"vip":true,"email":"old@example.com","gone":null,"note":"ok"}', NULL, NULL),
  (2, 'user_2', 3, 'bob@example.com', NULL, 'Bob', 'Smith', 'ext-2', 'bob', 'No', '{"plan":"pro","address":{"city":"Paris"}}', 'bcrypt', '$2b$03$tooCheap'),
  (3, 'user_3', 4, 'cy@example.com', NULL, 'Cy', 'Young', 'ext-3', NULL, 'maybe', '{"external_id":"e1","custom_external_id":"e2"}', 'bcrypt', '$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.');
INSERT INTO totp_secrets (user_id, secret, source) VALUES (1, 'jbsw y3dp-ehpk 3pxp', 'clerk'), (2, 'JBSWY3DPEHPK3PXP', 'clerk');
