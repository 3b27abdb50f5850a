package passhash

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

const firebasePrefix = "$firebase-scrypt$"

// FirebaseScrypt is the modified scrypt Firebase Auth uses, with its
// parameters: Firebase's users:export gives each user's Hash and Salt, its
// console the project's SignerKey, SaltSeparator, Rounds and MemCost. The
// hash is the signer key encrypted with AES-256-CTR (zero IV) under a key
// derived by scrypt(password, salt || salt separator, N=2^MemCost,
// r=Rounds, p=1).
type FirebaseScrypt struct {
	Hash, Salt, SignerKey, SaltSeparator []byte
	Rounds, MemCost                      int
}

// String is the firebase-scrypt string WorkOS takes for these parameters,
// "$firebase-scrypt$hash=..$salt=..$sk=..$ss=..$r=..$m=..", every base64
// value standard and padded.
func (f FirebaseScrypt) String() string {
	e := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%shash=%s$salt=%s$sk=%s$ss=%s$r=%d$m=%d",
		firebasePrefix, e(f.Hash), e(f.Salt), e(f.SignerKey), e(f.SaltSeparator), f.Rounds, f.MemCost)
}

// ParseFirebaseScrypt reads a firebase-scrypt string back into its
// parameters. Unlike Validate, which holds a string to what WorkOS takes
// (standard base64), it also reads URL-safe base64, padded or not, so a
// source can read such a string and write it again with String.
func ParseFirebaseScrypt(s string) (FirebaseScrypt, error) {
	if s != strings.TrimSpace(s) {
		return FirebaseScrypt{}, errors.New("has leading or trailing whitespace")
	}
	return parseFirebase(s, DecodeBase64)
}

// firebaseFields are the segments of a firebase-scrypt string; it has each
// exactly once and nothing else.
var firebaseFields = []string{"hash", "salt", "sk", "ss", "r", "m"}

func parseFirebase(h string, decode func(string) ([]byte, error)) (FirebaseScrypt, error) {
	var f FirebaseScrypt
	rest, ok := strings.CutPrefix(h, firebasePrefix)
	if !ok {
		return f, errors.New("firebase-scrypt hash must be $firebase-scrypt$hash=..$salt=..$sk=..$ss=..$r=..$m=..")
	}
	got := make(map[string]string, len(firebaseFields))
	for i, seg := range strings.Split(rest, "$") {
		k, v, ok := strings.Cut(seg, "=")
		// The messages name a malformed segment by its position: it may be
		// hash material, and they reach findings, import errors and reports.
		switch {
		case !ok:
			return f, fmt.Errorf("firebase-scrypt: segment %d is not name=value", i+1)
		case !slices.Contains(firebaseFields, k) && isFieldName(k):
			return f, fmt.Errorf("firebase-scrypt: unknown segment %s=; want exactly hash, salt, sk, ss, r and m", k)
		case !slices.Contains(firebaseFields, k):
			return f, fmt.Errorf("firebase-scrypt: segment %d has an unknown name; want exactly hash, salt, sk, ss, r and m", i+1)
		}
		if _, dup := got[k]; dup {
			return f, fmt.Errorf("firebase-scrypt: %s= appears twice", k)
		}
		got[k] = v
	}
	for _, b := range []struct {
		name string
		dst  *[]byte
	}{{"hash", &f.Hash}, {"salt", &f.Salt}, {"sk", &f.SignerKey}, {"ss", &f.SaltSeparator}} {
		v := got[b.name]
		if v == "" {
			return f, fmt.Errorf("firebase-scrypt: %s= is missing", b.name)
		}
		d, err := decode(v)
		if err != nil {
			return f, fmt.Errorf("firebase-scrypt: %s= is not base64", b.name)
		}
		if len(d) == 0 {
			// Padding alone ("hash==") decodes to nothing: as missing.
			return f, fmt.Errorf("firebase-scrypt: %s= is missing", b.name)
		}
		*b.dst = d
	}
	var err error
	if f.Rounds, err = firebaseInt(got, "r", 1, 64); err != nil {
		return f, err
	}
	if f.MemCost, err = firebaseInt(got, "m", 1, 30); err != nil {
		return f, err
	}
	return f, nil
}

func firebaseInt(m map[string]string, name string, lo, hi int) (int, error) {
	v := m[name]
	if v == "" {
		return 0, fmt.Errorf("firebase-scrypt: %s= is missing", name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("firebase-scrypt: %s=%s is not an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func (f FirebaseScrypt) verify(pw []byte) (bool, error) {
	got, err := f.Derive(pw)
	if err != nil {
		return false, err
	}
	return hmac.Equal(got, f.Hash), nil
}

// Derive computes the hash Firebase would store for password with these
// parameters.
func (f FirebaseScrypt) Derive(password []byte) ([]byte, error) {
	if f.MemCost < 1 || f.MemCost > 30 || f.Rounds < 1 || f.Rounds > 64 {
		return nil, fmt.Errorf("firebase-scrypt: rounds %d and mem_cost %d: want 1 to 64 and 1 to 30", f.Rounds, f.MemCost)
	}
	salt := append(append([]byte{}, f.Salt...), f.SaltSeparator...)
	key, err := scrypt.Key(password, salt, 1<<f.MemCost, f.Rounds, 1, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(f.SignerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(out, f.SignerKey)
	return out, nil
}

// isFieldName says whether a segment's name looks like a parameter's name
// (a few lower-case letters) rather than hash material that happens to
// hold an "=", so that only such a name is quoted.
func isFieldName(k string) bool {
	if k == "" || len(k) > 12 {
		return false
	}
	for _, r := range k {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
