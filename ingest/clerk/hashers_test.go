package clerk

import (
	"strings"
	"testing"
)

func TestMapHash(t *testing.T) {
	tests := []struct {
		hasher, digest string
		wantType       string
		wantHash       string // "" = same as digest
		wantReason     string // non-empty: not importable, reason contains this
	}{
		{hasher: "bcrypt", digest: "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.", wantType: "bcrypt"},
		{hasher: "BCRYPT", digest: "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2", wantType: "bcrypt"},
		{hasher: "argon2id", digest: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", wantType: "argon2"},
		{hasher: "argon2i", digest: "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", wantType: "argon2"},
		{hasher: "argon2id", digest: "$argon2id$v=19$m=65536,t=3,p=4$abc123", wantReason: "malformed"},
		{hasher: "argon2i", digest: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", wantReason: "malformed"},
		{
			hasher:   "scrypt_firebase",
			digest:   "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$42xEC+ixf3L2lw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$Bw==$8$14",
			wantType: "firebase-scrypt",
			wantHash: "$firebase-scrypt$hash=lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$salt=42xEC+ixf3L2lw==$sk=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$ss=Bw==$r=8$m=14",
		},
		{hasher: "scrypt_firebase", digest: "hash$salt$key$sep$8", wantReason: "6 parts"},
		{hasher: "scrypt_firebase", digest: "hash$salt$key$sep$eight$14", wantReason: "rounds"},
		{
			// salt "salt" and a 4-byte hash, both base64 in Clerk's form.
			hasher: "pbkdf2_sha256", digest: "pbkdf2_sha256$600000$c2FsdA==$AQIDBA==",
			wantType: "pbkdf2", wantHash: "$pbkdf2-sha256$i=600000,l=4$c2FsdA$AQIDBA",
		},
		{
			// Django keeps the salt as text.
			hasher: "pbkdf2_sha256_django", digest: "pbkdf2_sha256$720000$salt$AQIDBA==",
			wantType: "pbkdf2", wantHash: "$pbkdf2-sha256$i=720000,l=4$c2FsdA$AQIDBA",
		},
		{
			hasher: "pbkdf2_sha1", digest: "pbkdf2_sha1$1000$salt$01020304",
			wantType: "pbkdf2", wantHash: "$pbkdf2-sha1$i=1000,l=4$c2FsdA$AQIDBA",
		},
		{hasher: "pbkdf2_sha256", digest: "pbkdf2_sha256$-1$c2FsdA==$AQIDBA==", wantReason: "iterations"},
		{hasher: "md5", digest: "5f4dcc3b5aa765d61d8327deb882cf99", wantReason: "not one WorkOS can import"},
		{hasher: "phpass", digest: "$P$B12345678901234567890123456789", wantReason: "not one WorkOS can import"},
		{hasher: "rot13", digest: "x", wantReason: "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.hasher+"/"+tt.digest[:min(12, len(tt.digest))], func(t *testing.T) {
			hash, typ, ok, reason := mapHash(tt.hasher, tt.digest)
			if tt.wantReason != "" {
				if ok || !strings.Contains(reason, tt.wantReason) {
					t.Fatalf("mapHash = ok %v reason %q, want not ok with %q", ok, reason, tt.wantReason)
				}
				return
			}
			if !ok {
				t.Fatalf("mapHash not ok: %s", reason)
			}
			want := tt.wantHash
			if want == "" {
				want = tt.digest
			}
			if typ != tt.wantType || hash != want {
				t.Fatalf("mapHash = %q, %q; want %q, %q", hash, typ, want, tt.wantType)
			}
		})
	}
}

// Every WorkOS type the table produces must be one of the spec's enum.
func TestHasherTypesAreWorkOSTypes(t *testing.T) {
	enum := map[string]bool{"bcrypt": true, "firebase-scrypt": true, "ssha": true, "scrypt": true, "pbkdf2": true, "argon2": true}
	for name, h := range hashers {
		if h.convert != nil && !enum[h.workosType] {
			t.Errorf("hasher %s maps to %q, not a WorkOS password_hash_type", name, h.workosType)
		}
		if h.convert == nil && h.workosType != "" {
			t.Errorf("hasher %s has a type but no conversion", name)
		}
	}
}
