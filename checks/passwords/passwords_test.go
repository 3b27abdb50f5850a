package passwords_test

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"

	"github.com/mig-tools/mig/checks/passwords"
)

const fixtures = "../../testdata/fixtures"

type firebaseSet struct {
	Source     string `json:"source"`
	HashConfig struct {
		SignerKey     string `json:"base64_signer_key"`
		SaltSeparator string `json:"base64_salt_separator"`
		Rounds        int    `json:"rounds"`
		MemCost       int    `json:"mem_cost"`
	} `json:"hash_config"`
	Vectors []struct {
		Password string `json:"password"`
		Salt     string `json:"salt"`
		Hash     string `json:"passwordHash"`
	} `json:"vectors"`
}

// TestFirebaseVectors verifies all 29 public Firebase scrypt vectors in the
// firebase-scrypt form WorkOS takes, and in Clerk's digest form, and makes
// sure a wrong password and a wrong parameter do not match.
func TestFirebaseVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "firebase", "firebase-scrypt-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sets []firebaseSet `json:"sets"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, set := range doc.Sets {
		c := set.HashConfig
		for i, v := range set.Vectors {
			n++
			t.Run(fmt.Sprintf("%s/%d", set.Source, i), func(t *testing.T) {
				h := fmt.Sprintf("$firebase-scrypt$hash=%s$salt=%s$sk=%s$ss=%s$r=%d$m=%d", v.Hash, v.Salt, c.SignerKey, c.SaltSeparator, c.Rounds, c.MemCost)
				if err := passwords.Validate("firebase-scrypt", h); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if ok, err := passwords.Verify("firebase-scrypt", h, v.Password); !ok || err != nil {
					t.Errorf("Verify(%q) = %v, %v; want a match", v.Password, ok, err)
				}
				if ok, err := passwords.Verify("firebase-scrypt", h, v.Password+"x"); ok || err != nil {
					t.Errorf("Verify(wrong password) = %v, %v; want no match", ok, err)
				}
				// The first vector of each set also proves a wrong memory cost
				// does not match: the check a user makes with verify-password.
				if i == 0 {
					bad := strings.Replace(h, fmt.Sprintf("$m=%d", c.MemCost), fmt.Sprintf("$m=%d", c.MemCost-1), 1)
					if ok, _ := passwords.Verify("firebase-scrypt", bad, v.Password); ok {
						t.Error("a wrong mem_cost matched")
					}
					digest := strings.Join([]string{v.Hash, v.Salt, c.SignerKey, c.SaltSeparator, fmt.Sprint(c.Rounds), fmt.Sprint(c.MemCost)}, "$")
					if ok, err := passwords.VerifyDigest("scrypt_firebase", digest, v.Password); !ok || err != nil {
						t.Errorf("VerifyDigest(scrypt_firebase) = %v, %v", ok, err)
					}
				}
			})
		}
	}
	if n != 29 {
		t.Errorf("%d vectors; the fixture has 29", n)
	}
}

// TestBcryptSamples verifies the public bcrypt samples whose passwords are
// known (see testdata/fixtures/SOURCES*.md).
func TestBcryptSamples(t *testing.T) {
	cases := []struct {
		file, near, password string
	}{
		{"clerk/clerk-migration-tool-sample.csv", "", "Kk4aPMeiaRpAs2OeX1NE"},
		{"clerk/workos-migrate-example.csv", "", "password"},
		{"auth0/zitadel-docs_auth0_passwords_sample.ndjson", "", "Password1!"},
		{"auth0/rust-auth0-ndjson-test_passwords.ndjson", "admin@localhost", "secret"},
	}
	re := regexp.MustCompile(`\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}`)
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(fixtures, c.file))
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			if c.near != "" {
				for _, line := range strings.Split(text, "\n") {
					if strings.Contains(line, c.near) {
						text = line
					}
				}
			}
			h := re.FindString(text)
			if h == "" {
				t.Fatal("no bcrypt hash in the file")
			}
			if ok, err := passwords.Verify("bcrypt", h, c.password); !ok || err != nil {
				t.Errorf("Verify(%s) = %v, %v; want a match", h, ok, err)
			}
			if ok, err := passwords.Verify("bcrypt", h, c.password+"!"); ok || err != nil {
				t.Errorf("wrong password: %v, %v", ok, err)
			}
			if ok, err := passwords.VerifyDigest("bcrypt", h, c.password); !ok || err != nil {
				t.Errorf("VerifyDigest: %v, %v", ok, err)
			}
		})
	}
}

// TestPHC verifies PHC strings made with x/crypto for every variant mig
// reads, and that the wrong password or a changed parameter does not match.
func TestPHC(t *testing.T) {
	salt := []byte("0123456789abcdef")
	b64 := base64.RawStdEncoding.EncodeToString
	pw := "correct horse"
	pb := func(h func() hash.Hash, n int) []byte { return pbkdf2.Key([]byte(pw), salt, 1000, n, h) }
	sc, err := scrypt.Key([]byte(pw), salt, 1<<10, 8, 2, 32)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ typ, hash, changed string }{
		{"argon2", fmt.Sprintf("$argon2id$v=19$m=1024,t=2,p=1$%s$%s", b64(salt), b64(argon2.IDKey([]byte(pw), salt, 2, 1024, 1, 32))), "t=3"},
		{"argon2", fmt.Sprintf("$argon2i$v=19$m=1024,t=2,p=1$%s$%s", b64(salt), b64(argon2.Key([]byte(pw), salt, 2, 1024, 1, 32))), "t=3"},
		{"pbkdf2", fmt.Sprintf("$pbkdf2-sha256$i=1000,l=32$%s$%s", b64(salt), b64(pb(sha256.New, 32))), "i=1001"},
		{"pbkdf2", fmt.Sprintf("$pbkdf2-sha512$i=1000,l=64$%s$%s", b64(salt), b64(pb(sha512.New, 64))), "i=1001"},
		{"pbkdf2", fmt.Sprintf("$pbkdf2-sha1$i=1000,l=20$%s$%s", b64(salt), b64(pb(sha1.New, 20))), "i=1001"},
		{"scrypt", fmt.Sprintf("$scrypt$ln=10,r=8,p=2$%s$%s", b64(salt), b64(sc)), "ln=11"},
	}
	for _, c := range cases {
		t.Run(c.hash[:12], func(t *testing.T) {
			if ok, err := passwords.Verify(c.typ, c.hash, pw); !ok || err != nil {
				t.Errorf("Verify = %v, %v; want a match", ok, err)
			}
			if ok, err := passwords.Verify(c.typ, c.hash, pw+"."); ok || err != nil {
				t.Errorf("wrong password: %v, %v", ok, err)
			}
			param := strings.SplitN(c.changed, "=", 2)[0] + "="
			re := regexp.MustCompile(regexp.QuoteMeta(param) + `\d+`)
			if ok, err := passwords.Verify(c.typ, re.ReplaceAllString(c.hash, c.changed), pw); ok || err != nil {
				t.Errorf("changed %s: %v, %v", c.changed, ok, err)
			}
		})
	}
}

func TestSSHA(t *testing.T) {
	salt := []byte("pepper!!")
	d := sha1.Sum(append([]byte("hunter2"), salt...))
	h := "{SSHA}" + base64.StdEncoding.EncodeToString(append(d[:], salt...))
	if ok, err := passwords.Verify("ssha", h, "hunter2"); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
	if ok, _ := passwords.Verify("ssha", h, "hunter3"); ok {
		t.Error("wrong password matched")
	}
}

// TestVerifyDigest covers source digests WorkOS cannot import, which
// verify-password still checks so a user knows the export is right.
func TestVerifyDigest(t *testing.T) {
	m := md5.Sum([]byte("password"))
	s := sha256.Sum256([]byte("password"))
	salt := []byte("NaCl")
	p256 := pbkdf2.Key([]byte("password"), salt, 1000, 32, sha256.New)
	p1 := pbkdf2.Key([]byte("password"), salt, 1000, 20, sha1.New)
	cases := []struct{ hasher, digest string }{
		{"md5", hex.EncodeToString(m[:])},
		{"sha256", hex.EncodeToString(s[:])},
		{"pbkdf2_sha256", "pbkdf2_sha256$1000$" + base64.StdEncoding.EncodeToString(salt) + "$" + base64.StdEncoding.EncodeToString(p256)},
		{"pbkdf2_sha256_django", "pbkdf2_sha256$1000$NaCl$" + base64.StdEncoding.EncodeToString(p256)},
		{"pbkdf2_sha1", "pbkdf2_sha1$1000$NaCl$" + hex.EncodeToString(p1)},
	}
	for _, c := range cases {
		if ok, err := passwords.VerifyDigest(c.hasher, c.digest, "password"); !ok || err != nil {
			t.Errorf("%s: %v, %v; want a match", c.hasher, ok, err)
		}
		if ok, err := passwords.VerifyDigest(c.hasher, c.digest, "Password"); ok || err != nil {
			t.Errorf("%s wrong password: %v, %v", c.hasher, ok, err)
		}
	}
	if _, err := passwords.VerifyDigest("phpass", "$P$abc", "x"); err == nil {
		t.Error("phpass: want an unsupported error")
	}
}

func TestValidate(t *testing.T) {
	bad := []struct{ typ, hash string }{
		{"bcrypt", "$2x$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2"},
		{"bcrypt", "$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2 "},
		{"argon2", "$argon2id$v=19$m=65536,t=3$c2FsdA$aGFzaA"},
		{"argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$"},
		{"pbkdf2", "$pbkdf2-sha256$i=1000,l=31$c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGg"},
		{"scrypt", "$scrypt$ln=15,r=8,p=1$c2FsdA"},
		{"firebase-scrypt", "$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=c2s=$ss=Bw==$r=8"},
		{"firebase-scrypt", "$firebase-scrypt$hash=!!!$salt=c2FsdA==$sk=c2s=$ss=Bw==$r=8$m=14"},
		{"ssha", "{SSHA}c2hvcnQ="},
		{"md5", "5f4dcc3b5aa765d61d8327deb882cf99"},
	}
	for _, c := range bad {
		if err := passwords.Validate(c.typ, c.hash); err == nil {
			t.Errorf("Validate(%s, %s) = nil; want an error", c.typ, c.hash)
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
		if got, want := passwords.Validate("bcrypt", h) == nil, re.MatchString(h); got != want {
			t.Errorf("Validate(%q) ok = %v; the format says %v", h, got, want)
		}
	}
}
