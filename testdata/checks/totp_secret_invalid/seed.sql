INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES
  (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com'), (3, 'user_3', 4, 'cy@example.com'),
  (4, 'user_4', 5, 'di@example.com'), (5, 'user_5', 6, 'ed@example.com'), (6, 'user_6', 7, 'fa@example.com');
INSERT INTO totp_secrets (user_id, secret, source, row_number) VALUES
  (1, 'JBSWY3DPEHPK3PXP', 'clerk', 2),
  (1, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'clerk', 2),
  (2, 'jbswy3dpehpk3pxp', 'clerk', 3),
  (3, 'JBSWY3DP', 'clerk', 4),
  (4, 'JBSWY3DPEHPK3PX1', 'clerk', 5),
  (5, 'JBSW=Y3DPEHPK3PXP', 'clerk', 6),
  (6, 'JBSWY3DPEHPK3PXPA', 'clerk', 7);
