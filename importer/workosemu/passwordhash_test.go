package workosemu_test

import (
	"errors"
	"testing"

	"github.com/mig-tools/mig/importer/workosemu"
)

func TestValidPasswordHash(t *testing.T) {
	tests := []struct {
		typ, hash string
		ok        bool
	}{
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2b$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2y$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2b$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false}, // cost below 04
		{"bcrypt", "$2b$32$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false}, // cost above 31
		{"bcrypt", "$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false}, // unknown variant
		{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW", false},  // 52 chars
		{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lh+y", false}, // not bcrypt base64
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2d$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2id$v=19$m=65536,t=3$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false}, // no p
		{"argon2", "$argon2x$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA", false},
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ", false}, // no hash
		{"pbkdf2", "$pbkdf2-sha256$i=600000,l=32$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"pbkdf2", "$pbkdf2-sha512$i=210000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"pbkdf2", "$pbkdf2-sha1$i=1000,l=20$c2FsdA$aGFzaA", true},
		{"pbkdf2", "$pbkdf2-md5$i=1000$c2FsdA$aGFzaA", false},
		{"pbkdf2", "$pbkdf2-sha256$l=32$c2FsdA$aGFzaA", false}, // no iterations
		{"scrypt", "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"scrypt", "$scrypt$ln=15,r=8$c2FsdHNhbHQ$aGFzaA", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14", true},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8", false}, // no m
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=x$m=14", false},
		{"ssha", "{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", true},
		{"ssha", "{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", false}, // digest with no salt
		{"ssha", "{SHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", false},
		{"md5", "5f4dcc3b5aa765d61d8327deb882cf99", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.hash, func(t *testing.T) {
			err := workosemu.ValidPasswordHash(tc.typ, tc.hash)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidPasswordHash = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if err := workosemu.ValidPasswordHash("md5", "x"); !errors.Is(err, workosemu.ErrUnknownHashType) {
		t.Fatalf("unknown type error %v does not wrap ErrUnknownHashType", err)
	}
}
