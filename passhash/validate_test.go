package passhash_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/mig-tools/mig/passhash"
)

// TestValidate holds every hash the checks stage and the WorkOS emulator
// judged before they shared one validator, and the cases where the two
// disagreed, resolved to the stricter rule.
func TestValidate(t *testing.T) {
	tests := []struct {
		typ, hash string
		ok        bool
	}{
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2b$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2y$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"bcrypt", "$2b$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false},  // cost below 04
		{"bcrypt", "$2b$32$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false},  // cost above 31
		{"bcrypt", "$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false},  // unknown variant
		{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW", false},   // 52 chars
		{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lh+y", false},  // not bcrypt base64
		{"bcrypt", "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2 ", false}, // trailing space
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2d$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"argon2", "$argon2id$v=19$m=65536,t=3$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false}, // no p
		{"argon2", "$argon2x$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA", false},
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ", false}, // no hash
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$", false},     // empty hash
		{"argon2", "$argon2id$v=18$m=65536,t=3,p=4$c2FsdA$aGFzaA", false},
		{"pbkdf2", "$pbkdf2-sha256$i=600000,l=32$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", true},
		{"pbkdf2", "$pbkdf2-sha512$i=210000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"pbkdf2", "$pbkdf2-sha1$i=1000,l=4$c2FsdA$aGFzaA", true},
		{"pbkdf2", "$pbkdf2-md5$i=1000$c2FsdA$aGFzaA", false},
		{"pbkdf2", "$pbkdf2-sha256$l=32$c2FsdA$aGFzaA", false}, // no iterations
		{"pbkdf2", "$pbkdf2-sha256$i=1000,l=31$c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGg", false},
		{"scrypt", "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", true},
		{"scrypt", "$scrypt$ln=15,r=8$c2FsdHNhbHQ$aGFzaA", false},
		{"scrypt", "$scrypt$ln=15,r=8,p=1$c2FsdA", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14", true},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA$salt=c2FsdA$sk=a2V5$ss=Bw$r=8$m=14", true},   // unpadded
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8", false}, // no m
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=x$m=14", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=!!!$salt=c2FsdA==$sk=c2s=$ss=Bw==$r=8$m=14", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=65$m=14", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=31", false},
		{"ssha", "{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", true},
		{"ssha", "{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", false}, // digest with no salt
		{"ssha", "{SHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", false},
		{"ssha", "{SSHA}c2hvcnQ=", false},
		{"md5", "5f4dcc3b5aa765d61d8327deb882cf99", false},
		{"", "x", false},

		// Where the two validators disagreed, the stricter rule holds.
		// The emulator took any positive number; the checks' limits are
		// what x/crypto and Firebase can compute.
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=256$c2FsdHNhbHQ$aGFzaGhhc2g", false},
		{"argon2", "$argon2id$v=19$m=4294967296,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", false},
		{"pbkdf2", "$pbkdf2-sha256$i=2147483648$c2FsdA$aGFzaA", false},
		{"pbkdf2", "$pbkdf2-sha256$i=1000,l=2048$c2FsdA$aGFzaA", false},
		{"scrypt", "$scrypt$ln=31,r=8,p=1$c2FsdA$aGFzaA", false},
		{"scrypt", "$scrypt$n=2147483648,r=8,p=1$c2FsdA$aGFzaA", false},
		{"scrypt", "$scrypt$ln=15,r=65537,p=1$c2FsdA$aGFzaA", false},
		// The emulator read a hash with a trailing newline as base64,
		// which skips newlines; the checks refused it.
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g\n", false},
		// The emulator took "{ssha}" in any case; the checks only "{SSHA}".
		{"ssha", "{ssha}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", false},
		// The emulator took passlib's "." for "+" in firebase-scrypt's
		// base64; the checks did not, and Firebase never writes it.
		{"firebase-scrypt", "$firebase-scrypt$hash=aGF.aA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14", false},
		// The checks ignored segments beyond the six; the emulator refused
		// them. A repeated segment was read as its last value by both.
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14$p=1", false},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14$r=8", false},
		// Neither took URL-safe base64: WorkOS's string is standard.
		{"firebase-scrypt", "$firebase-scrypt$hash=aGF-aA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.hash, func(t *testing.T) {
			err := passhash.Validate(tc.typ, tc.hash)
			if (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok %v", err, tc.ok)
			}
			// Verify never reads a hash Validate refuses. (Not the other
			// way round here: a cost-31 bcrypt takes days to verify.)
			if !tc.ok {
				if _, verr := passhash.Verify(tc.typ, tc.hash, "x"); verr == nil {
					t.Errorf("Verify read a hash Validate refuses")
				}
			}
		})
	}
	if err := passhash.Validate("md5", "x"); !errors.Is(err, passhash.ErrUnsupported) {
		t.Fatalf("unknown type error %v does not wrap ErrUnsupported", err)
	}
}

// TestValidateMessages pins the words the checks stage shows in
// password_hash_invalid findings for the cases the stricter rules added.
func TestValidateMessages(t *testing.T) {
	tests := []struct{ hash, want string }{
		{"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14$p=1", "firebase-scrypt: unknown segment p=; want exactly hash, salt, sk, ss, r and m"},
		{"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14$r=8", "firebase-scrypt: r= appears twice"},
		{"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$r=8$m=14", "firebase-scrypt: ss= is missing"},
	}
	for _, tc := range tests {
		if err := passhash.Validate("firebase-scrypt", tc.hash); err == nil || err.Error() != tc.want {
			t.Errorf("Validate(%s) = %v; want %q", tc.hash, err, tc.want)
		}
	}
}

// TestBcryptShape compares the hand-written bcrypt check with the regular
// expression that states the format.
func TestBcryptShape(t *testing.T) {
	re := regexp.MustCompile(`^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$`)
	good := "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2"
	cases := []string{good, "$2a$04" + good[6:], "$2y$31" + good[6:], "$2x$10" + good[6:], "$2b$03" + good[6:], "$2b$32" + good[6:],
		"$2b$1a" + good[6:], good[:59] + "+", good[:59], good + "x", "$2$10$" + good[6:], "x" + good[1:], "$2b$10$" + strings.Repeat("é", 26) + "a"}
	for _, h := range cases {
		if got, want := passhash.Validate("bcrypt", h) == nil, re.MatchString(h); got != want {
			t.Errorf("Validate(%q) ok = %v; the format says %v", h, got, want)
		}
	}
}

// TestDetect: a source labels a hash by its marker only, and never calls
// an unknown hash bcrypt.
func TestDetect(t *testing.T) {
	tests := []struct{ hash, want string }{
		{"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "bcrypt"},
		{"$2b$10$short", "bcrypt"}, // a bcrypt hash, malformed: Validate says why
		{"$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "bcrypt"},
		{"$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ""},
		{"$2$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ""},
		{"$2b$", "bcrypt"},
		{"$2b", ""},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "argon2"},
		{"$argon2i$m=65536,t=3,p=4$c2FsdA$aGFzaA", "argon2"},
		{"$argon2d$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "argon2"},
		{"$argon2x$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", ""},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA", ""},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$", ""},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA$x", ""},
		{"$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA", "pbkdf2"},
		{"$pbkdf2$i=1000$c2FsdA$aGFzaA", "pbkdf2"},
		{"$pbkdf2-md5$i=1000$c2FsdA$aGFzaA", ""},
		{"$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA", "scrypt"},
		{"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14", "firebase-scrypt"},
		{"{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", "ssha"},
		{"{SHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0", ""},
		{"5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"$P$B12345678901234567890123456789", ""},
		{"pbkdf2_sha256$600000$c2FsdA==$AQIDBA==", ""},
		{"$", ""},
		{"", ""},
	}
	for _, tc := range tests {
		typ, ok := passhash.Detect(tc.hash)
		if typ != tc.want || ok != (tc.want != "") {
			t.Errorf("Detect(%q) = %q, %v; want %q", tc.hash, typ, ok, tc.want)
		}
		if ok && !passhash.IsType(typ) {
			t.Errorf("Detect(%q) = %q, not a WorkOS type", tc.hash, typ)
		}
	}
}

// TestTypesAreTheSpecEnum holds Types to the password_hash_type enum of
// WorkOS's OpenAPI spec, copied here: the one list every stage reads.
func TestTypesAreTheSpecEnum(t *testing.T) {
	spec := []string{"bcrypt", "firebase-scrypt", "ssha", "scrypt", "pbkdf2", "argon2"}
	if strings.Join(passhash.Types, ",") != strings.Join(spec, ",") {
		t.Errorf("Types = %v; the spec's enum is %v", passhash.Types, spec)
	}
	for _, typ := range spec {
		if !passhash.IsType(typ) {
			t.Errorf("IsType(%s) = false", typ)
		}
	}
	for _, typ := range []string{"md5", "Bcrypt", "", "scrypt_firebase"} {
		if passhash.IsType(typ) {
			t.Errorf("IsType(%q) = true", typ)
		}
	}
}

// TestValidateQuotesNoHashMaterial keeps hash material out of the messages:
// they reach check findings, import errors and reports, which must never
// hold a hash, whole or in part.
func TestValidateQuotesNoHashMaterial(t *testing.T) {
	const secret = "c2VjcmV0U0FMVHNlZ21lbnQ"
	for _, tc := range []struct{ typ, hash string }{
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$" + secret + "$sk=a2V5$ss=Bw==$r=8$m=14"},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$" + secret + "==$sk=a2V5$ss=Bw==$r=8$m=14"},
		{"argon2", "$argon2id$v=19$" + secret + "$c2FsdA$aGFzaA"},
	} {
		h := tc.hash
		err := passhash.Validate(tc.typ, h)
		if err == nil {
			t.Fatalf("Validate(%s) = nil, want an error", h)
		}
		if strings.Contains(err.Error(), secret[:10]) {
			t.Errorf("Validate(%s) = %q: the message quotes the hash", h, err)
		}
	}
}
