package passhash_test

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
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

	"github.com/mig-tools/mig/passhash"
)

const fixtures = "../testdata/fixtures"

type firebaseVector struct {
	set, password, hash, salt string
	signerKey, saltSeparator  string
	rounds, memCost           int
}

// firebaseVectors reads the public Firebase scrypt vectors (see
// testdata/fixtures/SOURCES-checks.md) with the hash configuration of
// their set.
func firebaseVectors(t *testing.T) []firebaseVector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "firebase", "firebase-scrypt-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sets []struct {
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
		} `json:"sets"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var out []firebaseVector
	for _, s := range doc.Sets {
		c := s.HashConfig
		for _, v := range s.Vectors {
			out = append(out, firebaseVector{s.Source, v.Password, v.Hash, v.Salt, c.SignerKey, c.SaltSeparator, c.Rounds, c.MemCost})
		}
	}
	if len(out) != 29 {
		t.Fatalf("%d vectors; the fixture has 29", len(out))
	}
	return out
}

func (v firebaseVector) params(t *testing.T) passhash.FirebaseScrypt {
	t.Helper()
	d := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return passhash.FirebaseScrypt{Hash: d(v.hash), Salt: d(v.salt), SignerKey: d(v.signerKey), SaltSeparator: d(v.saltSeparator), Rounds: v.rounds, MemCost: v.memCost}
}

// TestFirebaseVectors verifies all 29 public Firebase scrypt vectors in the
// firebase-scrypt string WorkOS takes, built by FirebaseScrypt.String, and
// makes sure a wrong password, and each wrong parameter, do not match.
func TestFirebaseVectors(t *testing.T) {
	for i, v := range firebaseVectors(t) {
		t.Run(fmt.Sprintf("%s/%d", v.set, i), func(t *testing.T) {
			h := fmt.Sprintf("$firebase-scrypt$hash=%s$salt=%s$sk=%s$ss=%s$r=%d$m=%d", v.hash, v.salt, v.signerKey, v.saltSeparator, v.rounds, v.memCost)
			f := v.params(t)
			if got := f.String(); got != h {
				t.Fatalf("String() = %s\nwant       %s", got, h)
			}
			if err := passhash.Validate("firebase-scrypt", h); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if ok, err := passhash.Verify("firebase-scrypt", h, v.password); !ok || err != nil {
				t.Errorf("Verify(%q) = %v, %v; want a match", v.password, ok, err)
			}
			if ok, err := passhash.Verify("firebase-scrypt", h, v.password+"x"); ok || err != nil {
				t.Errorf("Verify(wrong password) = %v, %v; want no match", ok, err)
			}
		})
	}
}

// TestFirebaseWrongParameters proves that each parameter of the project's
// hash configuration counts: the check a user makes with verify-password
// before importing a million users with a mistyped signer key.
func TestFirebaseWrongParameters(t *testing.T) {
	v := firebaseVectors(t)[0]
	other := firebaseVectors(t)[len(firebaseVectors(t))-1]
	right := v.params(t)
	wrong := map[string]func(f *passhash.FirebaseScrypt){
		"rounds":         func(f *passhash.FirebaseScrypt) { f.Rounds-- },
		"mem_cost":       func(f *passhash.FirebaseScrypt) { f.MemCost-- },
		"signer key":     func(f *passhash.FirebaseScrypt) { f.SignerKey = other.params(t).SignerKey },
		"salt separator": func(f *passhash.FirebaseScrypt) { f.SaltSeparator = []byte{6} },
		"salt":           func(f *passhash.FirebaseScrypt) { f.Salt = append([]byte{0}, f.Salt...) },
	}
	if ok, err := passhash.Verify("firebase-scrypt", right.String(), v.password); !ok || err != nil {
		t.Fatalf("the right parameters: %v, %v", ok, err)
	}
	for name, change := range wrong {
		f := right
		change(&f)
		if ok, err := passhash.Verify("firebase-scrypt", f.String(), v.password); ok || err != nil {
			t.Errorf("a wrong %s: Verify = %v, %v; want no match", name, ok, err)
		}
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
			if typ, ok := passhash.Detect(h); typ != "bcrypt" || !ok {
				t.Errorf("Detect = %q, %v", typ, ok)
			}
			if ok, err := passhash.Verify("bcrypt", h, c.password); !ok || err != nil {
				t.Errorf("Verify(%s) = %v, %v; want a match", h, ok, err)
			}
			if ok, err := passhash.Verify("bcrypt", h, c.password+"!"); ok || err != nil {
				t.Errorf("wrong password: %v, %v", ok, err)
			}
			if ok, err := passhash.VerifySourceDigest("bcrypt", h, c.password); !ok || err != nil {
				t.Errorf("VerifySourceDigest: %v, %v", ok, err)
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
		{"pbkdf2", fmt.Sprintf("$pbkdf2$i=1000$%s$%s", b64(salt), b64(pb(sha1.New, 20))), "i=1001"},
		{"scrypt", fmt.Sprintf("$scrypt$ln=10,r=8,p=2$%s$%s", b64(salt), b64(sc)), "ln=11"},
		{"scrypt", fmt.Sprintf("$scrypt$n=1024,r=8,p=2$%s$%s", b64(salt), b64(sc)), "n=2048"},
	}
	for _, c := range cases {
		t.Run(c.hash[:12], func(t *testing.T) {
			if typ, ok := passhash.Detect(c.hash); typ != c.typ || !ok {
				t.Errorf("Detect = %q, %v; want %s", typ, ok, c.typ)
			}
			if ok, err := passhash.Verify(c.typ, c.hash, pw); !ok || err != nil {
				t.Errorf("Verify = %v, %v; want a match", ok, err)
			}
			if ok, err := passhash.Verify(c.typ, c.hash, pw+"."); ok || err != nil {
				t.Errorf("wrong password: %v, %v", ok, err)
			}
			param := strings.SplitN(c.changed, "=", 2)[0] + "="
			re := regexp.MustCompile(`\b` + regexp.QuoteMeta(param) + `\d+`)
			if ok, err := passhash.Verify(c.typ, re.ReplaceAllString(c.hash, c.changed), pw); ok || err != nil {
				t.Errorf("changed %s: %v, %v", c.changed, ok, err)
			}
		})
	}
}

// TestArgon2CannotVerify: argon2d and version 16 are well formed but x/crypto
// computes neither; Verify says so rather than reporting a mismatch.
func TestArgon2CannotVerify(t *testing.T) {
	for _, h := range []string{
		"$argon2d$v=19$m=1024,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$argon2id$v=16$m=1024,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	} {
		if err := passhash.Validate("argon2", h); err != nil {
			t.Errorf("Validate(%s) = %v", h, err)
		}
		if _, err := passhash.Verify("argon2", h, "x"); !errors.Is(err, passhash.ErrUnsupported) {
			t.Errorf("Verify(%s) error %v; want ErrUnsupported", h, err)
		}
	}
}

func TestSSHA(t *testing.T) {
	salt := []byte("pepper!!")
	d := sha1.Sum(append([]byte("hunter2"), salt...))
	h := "{SSHA}" + base64.StdEncoding.EncodeToString(append(d[:], salt...))
	if ok, err := passhash.Verify("ssha", h, "hunter2"); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
	if ok, _ := passhash.Verify("ssha", h, "hunter3"); ok {
		t.Error("wrong password matched")
	}
	if ok, err := passhash.VerifySourceDigest("ldap_ssha", h, "hunter2"); !ok || err != nil {
		t.Errorf("VerifySourceDigest(ldap_ssha) = %v, %v", ok, err)
	}
}

// TestVerifySourceDigest covers digests WorkOS cannot import, which
// verify-password still checks so a user knows the export is right.
func TestVerifySourceDigest(t *testing.T) {
	m := md5.Sum([]byte("password"))
	s := sha256.Sum256([]byte("password"))
	argon := "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$" + base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte("password"), []byte("saltsalt"), 1, 1024, 1, 16))
	cases := []struct{ hasher, digest string }{
		{"md5", hex.EncodeToString(m[:])},
		{"MD5", strings.ToUpper(hex.EncodeToString(m[:]))},
		{"sha256", hex.EncodeToString(s[:])},
		// --drop-invalid-password-hashes names the digest by its WorkOS type.
		{"argon2", argon},
		// Other names of a digest in a form WorkOS takes.
		{"argon2id", argon},
		{"", argon},
	}
	for _, c := range cases {
		if ok, err := passhash.VerifySourceDigest(c.hasher, c.digest, "password"); !ok || err != nil {
			t.Errorf("%s: %v, %v; want a match", c.hasher, ok, err)
		}
		if ok, err := passhash.VerifySourceDigest(c.hasher, c.digest, "Password"); ok || err != nil {
			t.Errorf("%s wrong password: %v, %v", c.hasher, ok, err)
		}
	}
	if _, err := passhash.VerifySourceDigest("phpass", "$P$abc", "x"); !errors.Is(err, passhash.ErrUnsupported) {
		t.Errorf("phpass: %v; want an unsupported error", err)
	}
	if _, err := passhash.VerifySourceDigest("md5", "not hex", "x"); err == nil {
		t.Error("md5 not hex: want an error")
	}
}
