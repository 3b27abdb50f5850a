package workosemu

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PasswordHashTypes are the values of password_hash_type the WorkOS spec
// accepts, in the spec's order.
var PasswordHashTypes = []string{"bcrypt", "firebase-scrypt", "ssha", "scrypt", "pbkdf2", "argon2"}

// ErrUnknownHashType is returned for a password_hash_type outside
// PasswordHashTypes.
var ErrUnknownHashType = errors.New("unknown password hash type")

// ValidPasswordHash reports whether hash is structurally valid for typ, the
// way WorkOS checks it before accepting an import: the format and its
// parameters, not whether it matches any password. It is exported so the
// checks stage can flag hashes that production would reject with
// invalid_password_hash before an import starts.
func ValidPasswordHash(typ, hash string) error {
	var err error
	switch typ {
	case "bcrypt":
		err = validBcrypt(hash)
	case "argon2":
		err = validArgon2(hash)
	case "pbkdf2":
		err = validPBKDF2(hash)
	case "scrypt":
		err = validScrypt(hash)
	case "firebase-scrypt":
		err = validFirebaseScrypt(hash)
	case "ssha":
		err = validSSHA(hash)
	default:
		return fmt.Errorf("password_hash_type %q: %w; want one of %s", typ, ErrUnknownHashType, strings.Join(PasswordHashTypes, ", "))
	}
	if err != nil {
		return fmt.Errorf("password_hash is not a valid %s hash: %w", typ, err)
	}
	return nil
}

var bcryptRe = regexp.MustCompile(`^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$`)

func validBcrypt(h string) error {
	if !bcryptRe.MatchString(h) {
		return errors.New("want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 characters of bcrypt base64")
	}
	return nil
}

// phc splits a PHC string $id$params$salt$hash (params may be followed by a
// v=NN segment before them, as argon2 writes) into its parts.
type phcParts struct {
	id      string
	version string
	params  map[string]string
	salt    string
	hash    string
}

func parsePHC(h string) (phcParts, error) {
	var p phcParts
	if !strings.HasPrefix(h, "$") {
		return p, errors.New("want a PHC string starting with $")
	}
	segs := strings.Split(h[1:], "$")
	if len(segs) > 0 {
		p.id, segs = segs[0], segs[1:]
	}
	if len(segs) > 0 && strings.HasPrefix(segs[0], "v=") {
		p.version, segs = strings.TrimPrefix(segs[0], "v="), segs[1:]
	}
	if len(segs) != 3 {
		return p, errors.New("want $id$params$salt$hash")
	}
	p.params = map[string]string{}
	for _, kv := range strings.Split(segs[0], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return p, fmt.Errorf("parameter %q is not name=value", kv)
		}
		p.params[k] = v
	}
	p.salt, p.hash = segs[1], segs[2]
	return p, nil
}

// b64 decodes the unpadded base64 PHC uses, also accepting padding and
// passlib's "." for "+".
func b64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.ReplaceAll(s, ".", "+"), "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func positiveInts(params map[string]string, names ...string) error {
	for _, n := range names {
		v, ok := params[n]
		if !ok {
			return fmt.Errorf("missing parameter %s", n)
		}
		if i, err := strconv.Atoi(v); err != nil || i <= 0 {
			return fmt.Errorf("parameter %s=%s is not a positive integer", n, v)
		}
	}
	return nil
}

func saltAndHash(p phcParts) error {
	if _, err := b64(p.salt); err != nil {
		return fmt.Errorf("salt is not base64: %w", err)
	}
	if _, err := b64(p.hash); err != nil {
		return fmt.Errorf("hash is not base64: %w", err)
	}
	return nil
}

func validArgon2(h string) error {
	p, err := parsePHC(h)
	if err != nil {
		return err
	}
	switch p.id {
	case "argon2id", "argon2i", "argon2d":
	default:
		return fmt.Errorf("algorithm %q: want argon2id, argon2i or argon2d", p.id)
	}
	if p.version != "" && p.version != "19" && p.version != "16" {
		return fmt.Errorf("version v=%s: want 19 or 16", p.version)
	}
	if err := positiveInts(p.params, "m", "t", "p"); err != nil {
		return err
	}
	return saltAndHash(p)
}

func validPBKDF2(h string) error {
	p, err := parsePHC(h)
	if err != nil {
		return err
	}
	switch p.id {
	case "pbkdf2-sha256", "pbkdf2-sha512", "pbkdf2-sha1", "pbkdf2":
	default:
		return fmt.Errorf("algorithm %q: want pbkdf2-sha256, pbkdf2-sha512 or pbkdf2-sha1", p.id)
	}
	if err := positiveInts(p.params, "i"); err != nil {
		return err
	}
	if _, ok := p.params["l"]; ok {
		if err := positiveInts(p.params, "l"); err != nil {
			return err
		}
	}
	return saltAndHash(p)
}

func validScrypt(h string) error {
	p, err := parsePHC(h)
	if err != nil {
		return err
	}
	if p.id != "scrypt" {
		return fmt.Errorf("algorithm %q: want scrypt", p.id)
	}
	cost := "ln"
	if _, ok := p.params["ln"]; !ok {
		cost = "n"
	}
	if err := positiveInts(p.params, cost, "r", "p"); err != nil {
		return err
	}
	return saltAndHash(p)
}

func validFirebaseScrypt(h string) error {
	const prefix = "$firebase-scrypt$"
	if !strings.HasPrefix(h, prefix) {
		return errors.New("want $firebase-scrypt$hash=..$salt=..$sk=..$ss=..$r=..$m=..")
	}
	got := map[string]string{}
	for _, seg := range strings.Split(h[len(prefix):], "$") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || v == "" {
			return fmt.Errorf("segment %q is not name=value", seg)
		}
		// base64 values may themselves end in '='; Cut splits at the first.
		got[k] = v
	}
	for _, k := range []string{"hash", "salt", "sk", "ss"} {
		v, ok := got[k]
		if !ok {
			return fmt.Errorf("missing %s", k)
		}
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			if _, err2 := b64(v); err2 != nil {
				return fmt.Errorf("%s is not base64", k)
			}
		}
	}
	if err := positiveInts(got, "r", "m"); err != nil {
		return err
	}
	if len(got) != 6 {
		return errors.New("want exactly hash, salt, sk, ss, r and m")
	}
	return nil
}

func validSSHA(h string) error {
	const prefix = "{SSHA}"
	if !strings.HasPrefix(strings.ToUpper(h), prefix) {
		return errors.New("want {SSHA} followed by base64")
	}
	raw, err := base64.StdEncoding.DecodeString(h[len(prefix):])
	if err != nil {
		return errors.New("want {SSHA} followed by base64")
	}
	// A SHA-1 digest is 20 bytes; a salted one has at least one salt byte.
	if len(raw) <= 20 {
		return fmt.Errorf("decoded length %d: want a 20-byte SHA-1 digest followed by a salt", len(raw))
	}
	return nil
}
