// Package passhash is the one place mig knows the password hash formats
// WorkOS imports: the values of password_hash_type (bcrypt,
// firebase-scrypt, ssha, scrypt, pbkdf2 and argon2), what a well-formed
// hash of each looks like, how to verify a known password against one, and
// how to build the strings WorkOS takes from what a source exports.
//
// Every stage reads it: an ingest converts its source's digests with it, the
// checks stage flags hashes WorkOS would reject (password_hash_invalid),
// validate-package and the WorkOS emulator judge hashes by the same rules,
// and verify-password proves a known password against a staged hash. So the
// list of types WorkOS accepts, and what each must look like, exist once.
//
// It imports nothing of mig, so any stage may import it.
package passhash

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Types are the values of password_hash_type that WorkOS accepts, in the
// order of the enum in WorkOS's OpenAPI spec.
var Types = []string{"bcrypt", "firebase-scrypt", "ssha", "scrypt", "pbkdf2", "argon2"}

// IsType reports whether typ is a password_hash_type WorkOS accepts.
func IsType(typ string) bool { return slices.Contains(Types, typ) }

// ErrUnsupported is returned when a hash type or source hasher is one this
// package cannot check or verify.
var ErrUnsupported = errors.New("unsupported")

// Validate reports why hash is not a well-formed hash of type typ, or nil
// when it is. It checks the format and its parameters, not any password:
// what WorkOS checks before it accepts an import (invalid_password_hash).
func Validate(typ, hash string) error {
	// A million bcrypt hashes are checked in a large run: the common
	// well-formed case skips building a verifier.
	if typ == "bcrypt" && wellFormedBcrypt(hash) {
		return nil
	}
	_, err := parse(typ, hash)
	return err
}

// Verify reports whether password matches hash, a WorkOS-form hash of type
// typ. An error means the hash could not be read (Validate fails on it) or
// this variant cannot be computed here, which is not a mismatch.
func Verify(typ, hash, password string) (bool, error) {
	v, err := parse(typ, hash)
	if err != nil {
		return false, err
	}
	return v.verify([]byte(password))
}

// Detect names the WorkOS type whose marker hash carries, so a source can
// label the hashes it exports without ever calling an unknown hash bcrypt:
// bcrypt only for the prefixes $2a$, $2b$ and $2y$; argon2, pbkdf2 and
// scrypt for a PHC string ($id[$v=..]$params$salt$hash) of one of their
// algorithms; firebase-scrypt for "$firebase-scrypt$"; ssha for "{SSHA}".
// It recognises the format, not its values: a detected hash may still fail
// Validate, which says why.
func Detect(hash string) (typ string, ok bool) {
	switch {
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		return "bcrypt", true
	case strings.HasPrefix(hash, firebasePrefix):
		return "firebase-scrypt", true
	case strings.HasPrefix(hash, sshaPrefix):
		return "ssha", true
	}
	id, ok := phcShape(hash)
	if !ok {
		return "", false
	}
	switch {
	case argon2IDs[id]:
		return "argon2", true
	case pbkdf2IDs[id] != nil:
		return "pbkdf2", true
	case id == "scrypt":
		return "scrypt", true
	}
	return "", false
}

// verifier is a parsed hash that can check a password.
type verifier interface {
	verify(password []byte) (bool, error)
}

func parse(typ, h string) (verifier, error) {
	if h != strings.TrimSpace(h) {
		return nil, errors.New("has leading or trailing whitespace")
	}
	switch typ {
	case "bcrypt":
		return parseBcrypt(h)
	case "argon2":
		return parseArgon2(h)
	case "pbkdf2":
		return parsePBKDF2(h)
	case "scrypt":
		return parseScrypt(h)
	case "firebase-scrypt":
		f, err := parseFirebase(h, decodeStd)
		if err != nil {
			return nil, err
		}
		return f, nil
	case "ssha":
		return parseSSHA(h)
	}
	return nil, fmt.Errorf("password_hash_type %q is %w by WorkOS; it takes %s", typ, ErrUnsupported, strings.Join(Types, ", "))
}
