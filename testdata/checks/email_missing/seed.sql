-- One user with an address, one with none, one with an empty one.
INSERT INTO seed_users (source_id, row_number, email_raw) VALUES ('user_ok', 2, 'ada@example.com');
INSERT INTO seed_users (source_id, row_number, email_raw) VALUES ('user_null', 3, NULL);
INSERT INTO seed_users (source_id, row_number, email_raw, email) VALUES ('user_empty', 4, '', '');
