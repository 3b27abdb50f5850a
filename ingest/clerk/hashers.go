package clerk

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
)

// hasher says what becomes of one Clerk password_hasher. convert turns the
// Clerk digest into the string WorkOS takes for workosType; a nil convert
// means WorkOS cannot take the hash and the user will have to reset.
type hasher struct {
	workosType string
	convert    func(digest string) (string, error)
}

// hashers is the one table that decides how Clerk password digests reach
// WorkOS. Clerk's digest formats are those its Backend API documents for
// CreateUser's password_hasher; WorkOS's types are passhash.Types, and
// every conversion builds its string with passhash.
var hashers = map[string]hasher{
	// Clerk: "$<version>$<cost>$<salt & hash>", the modular crypt form that
	// WorkOS's bcrypt takes as is.
	"bcrypt": {"bcrypt", passThrough},
	// Clerk: argon2 PHC strings "$argon2i$v=19$m=..,t=..,p=..$salt$hash" and
	// the same with argon2id; WorkOS's argon2 takes PHC strings.
	"argon2i":  {"argon2", argon2PHC("$argon2i$")},
	"argon2id": {"argon2", argon2PHC("$argon2id$")},
	// Not a Clerk name, but the reference tool's sample export uses it for
	// argon2id PHC strings; the PHC prefix says which variant it is.
	"argon2": {"argon2", argon2PHC("$argon2")},
	// Clerk: "hash$salt$signer_key$salt_separator$rounds$mem_cost", all
	// base64 (standard or URL-safe, padded or not) but rounds and mem_cost;
	// WorkOS's firebase-scrypt takes
	// "$firebase-scrypt$hash=..$salt=..$sk=..$ss=..$r=..$m=.." in standard,
	// padded base64.
	"scrypt_firebase": {"firebase-scrypt", firebaseScrypt},
	// Clerk: "pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>"; WorkOS's
	// pbkdf2 takes the PHC form "$pbkdf2-sha256$i=..,l=..$salt$hash" with
	// unpadded base64.
	"pbkdf2_sha256": {"pbkdf2", pbkdf2PHC("sha256", passhash.DecodeBase64, passhash.DecodeBase64)},
	// Clerk: Django's "pbkdf2_sha256$<iterations>$<salt>$<hash b64>" where the
	// salt is the literal text Django used.
	"pbkdf2_sha256_django": {"pbkdf2", pbkdf2PHC("sha256", rawText, passhash.DecodeBase64)},
	// Clerk: "pbkdf2_sha1$<iterations>$<salt>$<hash hex>", literal salt.
	"pbkdf2_sha1": {"pbkdf2", pbkdf2PHC("sha1", rawText, hex.DecodeString)},
	// Not in WorkOS's enum: md5, sha256, phpass, bcrypt_sha256_django and
	// scrypt_werkzeug are staged without a password, keeping the digest.
	"md5":                  {},
	"sha256":               {},
	"phpass":               {},
	"md5_phpass":           {},
	"bcrypt_sha256_django": {},
	"scrypt_werkzeug":      {},
	"ldap_ssha":            {},
}

// mapHash returns the WorkOS hash and type for a Clerk digest, or ok=false
// when WorkOS cannot take it (reason says why).
func mapHash(name, digest string) (hash, typ string, ok bool, reason string) {
	name = strings.ToLower(strings.TrimSpace(name))
	h, known := hashers[name]
	if !known {
		return "", "", false, fmt.Sprintf("password hasher %s is unknown to mig", ingest.Excerpt(name))
	}
	if h.convert == nil {
		return "", "", false, fmt.Sprintf("password hasher %s is not one WorkOS can import", ingest.Excerpt(name))
	}
	out, err := h.convert(digest)
	if err != nil {
		return "", "", false, fmt.Sprintf("password hasher %s: digest is malformed: %v", ingest.Excerpt(name), err)
	}
	return out, h.workosType, true, ""
}

func passThrough(d string) (string, error) { return d, nil }

// argon2PHC takes an argon2 PHC string as it is, once passhash recognises
// it as one and it starts with prefix, the variant Clerk's name promises.
func argon2PHC(prefix string) func(string) (string, error) {
	return func(d string) (string, error) {
		if !strings.HasPrefix(d, prefix) {
			return "", fmt.Errorf("expected a PHC string starting with %s", prefix)
		}
		if typ, ok := passhash.Detect(d); !ok || typ != "argon2" {
			switch id, _, _ := strings.Cut(d[1:], "$"); id {
			case "argon2id", "argon2i", "argon2d":
				return "", fmt.Errorf("expected $variant$v=..$m=..,t=..,p=..$salt$hash, got %d parts", strings.Count(d, "$"))
			}
			return "", errors.New("expected an argon2id, argon2i or argon2d PHC string")
		}
		return d, nil
	}
}

// firebaseScrypt reads Clerk's "hash$salt$signer_key$salt_separator$rounds$mem_cost"
// into passhash.FirebaseScrypt, which writes WorkOS's string.
func firebaseScrypt(d string) (string, error) {
	p := strings.Split(d, "$")
	if len(p) != 6 {
		return "", fmt.Errorf("expected 6 parts separated by $, got %d", len(p))
	}
	for i, name := range []string{"hash", "salt", "signer key", "salt separator", "rounds", "memory cost"} {
		if p[i] == "" {
			return "", fmt.Errorf("%s is empty", name)
		}
	}
	var f passhash.FirebaseScrypt
	var err error
	if f.Rounds, err = strconv.Atoi(p[4]); err != nil {
		return "", fmt.Errorf("rounds %s is not a number", ingest.Excerpt(p[4]))
	}
	if f.MemCost, err = strconv.Atoi(p[5]); err != nil {
		return "", fmt.Errorf("memory cost %s is not a number", ingest.Excerpt(p[5]))
	}
	for i, b := range []struct {
		name string
		dst  *[]byte
	}{{"hash", &f.Hash}, {"salt", &f.Salt}, {"signer key", &f.SignerKey}, {"salt separator", &f.SaltSeparator}} {
		if *b.dst, err = passhash.DecodeBase64(p[i]); err != nil {
			return "", fmt.Errorf("%s is not base64", b.name)
		}
	}
	return f.String(), nil
}

// pbkdf2PHC reads Clerk's "<name>$<iterations>$<salt>$<hash>", the salt and
// hash decoded by salt and hash, into passhash.PBKDF2 with prf, which
// writes WorkOS's PHC string.
func pbkdf2PHC(prf string, salt, hash func(string) ([]byte, error)) func(string) (string, error) {
	return func(d string) (string, error) {
		p := strings.Split(d, "$")
		if len(p) != 4 {
			return "", fmt.Errorf("expected 4 parts separated by $, got %d", len(p))
		}
		iter, err := strconv.Atoi(p[1])
		if err != nil || iter <= 0 {
			return "", fmt.Errorf("iterations %s is not a positive number", ingest.Excerpt(p[1]))
		}
		s, err := salt(p[2])
		if err != nil || len(s) == 0 {
			return "", fmt.Errorf("salt: %v", orEmpty(err))
		}
		h, err := hash(p[3])
		if err != nil || len(h) == 0 {
			return "", fmt.Errorf("hash: %v", orEmpty(err))
		}
		return passhash.PBKDF2{PRF: prf, Iterations: iter, Salt: s, Hash: h}.String(), nil
	}
}

func orEmpty(err error) error {
	if err == nil {
		return fmt.Errorf("empty")
	}
	return err
}

func rawText(s string) ([]byte, error) { return []byte(s), nil }
