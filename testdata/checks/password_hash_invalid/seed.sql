-- One well-formed hash of every WorkOS type, then broken ones.
INSERT INTO seed_users (source_id, row_number, email_raw, password_hash_type, password_hash) VALUES
  ('ok_bcrypt', 2, 'a1@example.com', 'bcrypt', '$2b$10$U4C0ZY8OG8y9aQ8hdW3cO.KoqE9u.U/5y2qhf6T0Xz0QwwXb0ZkiG'),
  ('ok_argon2', 3, 'a2@example.com', 'argon2', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g'),
  ('ok_pbkdf2', 4, 'a3@example.com', 'pbkdf2', '$pbkdf2-sha256$i=600000,l=32$c2FsdHNhbHQ$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g'),
  ('ok_scrypt', 5, 'a4@example.com', 'scrypt', '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g'),
  ('ok_firebase', 6, 'a5@example.com', 'firebase-scrypt', '$firebase-scrypt$hash=lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$salt=42xEC+ixf3L2lw==$sk=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$ss=Bw==$r=8$m=14'),
  ('ok_ssha', 7, 'a6@example.com', 'ssha', '{SSHA}' || 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0'),
  ('bad_bcrypt_cost', 8, 'b1@example.com', 'bcrypt', '$2b$03$U4C0ZY8OG8y9aQ8hdW3cO.KoqE9u.U/5y2qhf6T0Xz0QwwXb0ZkiG'),
  ('bad_bcrypt_short', 9, 'b2@example.com', 'bcrypt', '$2b$10$U4C0ZY8OG8y9aQ8hdW3cO.KoqE9u.U/5y2qhf6T0Xz0QwwXb0Zki'),
  ('bad_bcrypt_alphabet', 10, 'b3@example.com', 'bcrypt', '$2b$10$U4C0ZY8OG8y9aQ8hdW3cO+KoqE9u.U/5y2qhf6T0Xz0QwwXb0ZkiG'),
  ('bad_argon2_no_hash', 11, 'b4@example.com', 'argon2', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ'),
  ('bad_pbkdf2_digest', 12, 'b5@example.com', 'pbkdf2', '$pbkdf2-md5$i=1000$c2FsdA$aGFzaA'),
  ('bad_scrypt_params', 13, 'b6@example.com', 'scrypt', '$scrypt$ln=15,r=8$c2FsdA$aGFzaA'),
  ('bad_firebase_no_ss', 14, 'b7@example.com', 'firebase-scrypt', '$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=c2s=$r=8$m=14'),
  ('bad_firebase_r', 15, 'b8@example.com', 'firebase-scrypt', '$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=c2s=$ss=Bw==$r=x$m=14'),
  ('bad_type', 16, 'b9@example.com', 'md5', '5f4dcc3b5aa765d61d8327deb882cf99');
