package clerk

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/crypto/pbkdf2"

	"github.com/mig-tools/mig/passhash"
)

// A Firebase scrypt vector (firebase/scrypt's README, password
// "user1password") in Clerk's scrypt_firebase layout, and the same in
// URL-safe, unpadded base64.
const (
	firebaseDigest    = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$42xEC+ixf3L2lw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$Bw==$8$14"
	firebaseDigestURL = "lSrfV15cpx95_sZS2W9c9Kp6i_LVgQNDNC_qzrCnh1SAyZvqmZqAjTdn3aoItz-VHjoZilo78198JAdRuid5lQ$42xEC-ixf3L2lw$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA$Bw$8$14"
	firebaseHash      = "$firebase-scrypt$hash=lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$salt=42xEC+ixf3L2lw==$sk=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$ss=Bw==$r=8$m=14"
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
		// PHC's version segment is optional; passhash reads either form.
		{hasher: "argon2id", digest: "$argon2id$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", wantType: "argon2"},
		{hasher: "argon2", digest: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", wantType: "argon2"},
		{hasher: "argon2id", digest: "$argon2id$v=19$m=65536,t=3,p=4$abc123", wantReason: "malformed"},
		{hasher: "argon2i", digest: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", wantReason: "malformed"},
		// "argon2" names the family; argon2x is none of its variants.
		{hasher: "argon2", digest: "$argon2x$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", wantReason: "malformed: expected an argon2id, argon2i or argon2d PHC string"},
		{hasher: "scrypt_firebase", digest: firebaseDigest, wantType: "firebase-scrypt", wantHash: firebaseHash},
		// URL-safe, unpadded base64 reaches WorkOS as the standard form.
		{hasher: "scrypt_firebase", digest: firebaseDigestURL, wantType: "firebase-scrypt", wantHash: firebaseHash},
		{hasher: "scrypt_firebase", digest: "hash$salt$key$sep$8", wantReason: "6 parts"},
		{hasher: "scrypt_firebase", digest: "hash$salt$key$sep$eight$14", wantReason: "rounds"},
		{hasher: "scrypt_firebase", digest: "hash$$key$sep$8$14", wantReason: "salt is empty"},
		{hasher: "scrypt_firebase", digest: "not!b64$c2FsdA==$a2V5$Bw==$8$14", wantReason: "hash is not base64"},
		{
			// salt "salt" and a 4-byte hash, both base64 in Clerk's form.
			hasher: "pbkdf2_sha256", digest: "pbkdf2_sha256$600000$c2FsdA==$AQIDBA==",
			wantType: "pbkdf2", wantHash: "$pbkdf2-sha256$i=600000,l=4$c2FsdA$AQIDBA",
		},
		{
			hasher: "pbkdf2_sha256", digest: "pbkdf2_sha256$600000$c2FsdA$AQIDBA",
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
		{hasher: "pbkdf2_sha1", digest: "pbkdf2_sha1$1000$salt$0102030", wantReason: "hash"},
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
			// What the table builds is what passhash calls that type, and
			// well formed: the conversions and the checks agree.
			if detected, _ := passhash.Detect(hash); detected != typ {
				t.Errorf("passhash.Detect(%s) = %q; the table says %s", hash, detected, typ)
			}
			if err := passhash.Validate(typ, hash); err != nil {
				t.Errorf("passhash.Validate(%s): %v", hash, err)
			}
		})
	}
}

// Every WorkOS type the table produces must be one of the spec's enum.
func TestHasherTypesAreWorkOSTypes(t *testing.T) {
	for name, h := range hashers {
		if h.convert != nil && !passhash.IsType(h.workosType) {
			t.Errorf("hasher %s maps to %q, not a WorkOS password_hash_type", name, h.workosType)
		}
		if h.convert == nil && h.workosType != "" {
			t.Errorf("hasher %s has a type but no conversion", name)
		}
	}
}

// TestConvertedHashesVerify: Clerk digests made from a known password,
// converted by the table, verify with that password in the form WorkOS
// takes, and not with another. It proves the layouts are read right (the
// Django salt as text, the SHA-1 hash as hex), not only reshaped.
func TestConvertedHashesVerify(t *testing.T) {
	salt := []byte("NaCl")
	p256 := pbkdf2.Key([]byte("password"), salt, 1000, 32, sha256.New)
	p1 := pbkdf2.Key([]byte("password"), salt, 1000, 20, sha1.New)
	cases := []struct{ hasher, digest, password string }{
		{"pbkdf2_sha256", "pbkdf2_sha256$1000$" + base64.StdEncoding.EncodeToString(salt) + "$" + base64.StdEncoding.EncodeToString(p256), "password"},
		{"pbkdf2_sha256", "pbkdf2_sha256$1000$" + base64.RawURLEncoding.EncodeToString(salt) + "$" + base64.RawURLEncoding.EncodeToString(p256), "password"},
		{"pbkdf2_sha256_django", "pbkdf2_sha256$1000$NaCl$" + base64.StdEncoding.EncodeToString(p256), "password"},
		{"pbkdf2_sha1", "pbkdf2_sha1$1000$NaCl$" + hex.EncodeToString(p1), "password"},
		{"scrypt_firebase", firebaseDigest, "user1password"},
		{"scrypt_firebase", firebaseDigestURL, "user1password"},
		{"bcrypt", "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.", "password"},
	}
	for _, c := range cases {
		hash, typ, ok, reason := mapHash(c.hasher, c.digest)
		if !ok {
			t.Errorf("%s %.20s: not converted: %s", c.hasher, c.digest, reason)
			continue
		}
		if ok, err := passhash.Verify(typ, hash, c.password); !ok || err != nil {
			t.Errorf("%s %.20s: Verify = %v, %v; want a match", c.hasher, c.digest, ok, err)
		}
		if ok, err := passhash.Verify(typ, hash, c.password+"!"); ok || err != nil {
			t.Errorf("%s %.20s wrong password: %v, %v", c.hasher, c.digest, ok, err)
		}
	}
}
