package passhash_test

import (
	"testing"

	"github.com/mig-tools/mig/passhash"
)

// BenchmarkValidate measures the checks stage's password_hash_invalid rule
// per staged hash, which runs once per user.
func BenchmarkValidate(b *testing.B) {
	for _, c := range []struct{ name, typ, hash string }{
		{"bcrypt", "bcrypt", "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ."},
		{"argon2", "argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$0Wp7x1Jxq3m2y4rYgC7HvJ1n4M0p2r8ZbWm6yQk0t3s"},
		{"pbkdf2", "pbkdf2", "$pbkdf2-sha256$i=600000,l=32$c2FsdHNhbHQ$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"},
		{"firebase-scrypt", "firebase-scrypt", "$firebase-scrypt$hash=lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$salt=42xEC+ixf3L2lw==$sk=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$ss=Bw==$r=8$m=14"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := passhash.Validate(c.typ, c.hash); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
