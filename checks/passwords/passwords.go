// Package passwords knows the password hash formats WorkOS imports
// (password_hash_type bcrypt, firebase-scrypt, ssha, scrypt, pbkdf2 and
// argon2): it checks that a hash is well formed for its type, and verifies a
// known password against a hash so that a user can prove, before importing a
// million users, that the exported hash parameters are right.
//
// It also verifies the source digests mig keeps when WorkOS cannot take them
// (users.source_password_digest), named by the source's hasher, so that a
// user can tell a wrong password from a hash that will not be imported.
package passwords

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"
)

// Types are the values of password_hash_type that WorkOS accepts.
var Types = []string{"bcrypt", "firebase-scrypt", "ssha", "scrypt", "pbkdf2", "argon2"}

// ErrUnsupported is returned when a hash type or source hasher is one this
// package cannot check or verify.
var ErrUnsupported = errors.New("unsupported")

// Validate reports why hash is not a well-formed hash of type typ, or nil
// when it is. It checks the format and parameters, not any password.
func Validate(typ, hash string) error {
	_, err := parse(typ, hash)
	return err
}

// Verify reports whether password matches hash, a WorkOS-form hash of type
// typ. An error means the hash could not be read, which is not a mismatch.
func Verify(typ, hash, password string) (bool, error) {
	v, err := parse(typ, hash)
	if err != nil {
		return false, err
	}
	return v.verify([]byte(password))
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
		return parseFirebase(h)
	case "ssha":
		return parseSSHA(h)
	}
	return nil, fmt.Errorf("password_hash_type %q is %w by WorkOS; it takes %s", typ, ErrUnsupported, strings.Join(Types, ", "))
}

// bcrypt: "$2a$", "$2b$" or "$2y$", a two-digit cost from 04 to 31, then 22
// characters of salt and 31 of hash in bcrypt's own base64 alphabet.
var bcryptPrefixRe = regexp.MustCompile(`^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$`)

type bcryptHash string

func parseBcrypt(h string) (verifier, error) {
	if wellFormedBcrypt(h) {
		return bcryptHash(h), nil
	}
	switch {
	case !strings.HasPrefix(h, "$2"):
		return nil, errors.New("bcrypt hash must start with $2a$, $2b$ or $2y$")
	case len(h) != 60:
		return nil, fmt.Errorf("bcrypt hash is %d characters; it must be 60", len(h))
	case !bcryptPrefixRe.MatchString(h[:7]):
		return nil, fmt.Errorf("bcrypt prefix %q: want $2a$, $2b$ or $2y$ and a cost from 04 to 31", h[:7])
	}
	return nil, errors.New("bcrypt salt and hash must be 53 characters of [./A-Za-z0-9]")
}

// wellFormedBcrypt checks that shape without the regexp engine: Validate runs for
// every staged bcrypt hash, a million times in a large check.
func wellFormedBcrypt(h string) bool {
	if len(h) != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$' {
		return false
	}
	if v := h[2]; v != 'a' && v != 'b' && v != 'y' {
		return false
	}
	cost := int(h[4]-'0')*10 + int(h[5]-'0')
	if h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || cost < 4 || cost > 31 {
		return false
	}
	for i := 7; i < 60; i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}

func (b bcryptHash) verify(pw []byte) (bool, error) {
	err := bcrypt.CompareHashAndPassword([]byte(b), pw)
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false, nil
	}
	return err == nil, err
}

// phc is a PHC string: $id[$v=version]$params$salt$hash.
type phc struct {
	id      string
	version string
	params  map[string]string
	salt    []byte
	hash    []byte
}

func parsePHC(h string) (phc, error) {
	var p phc
	if !strings.HasPrefix(h, "$") {
		return p, errors.New("not a PHC string: it must start with $")
	}
	segs := strings.Split(h[1:], "$")
	p.id, segs = segs[0], segs[1:]
	if len(segs) > 0 && strings.HasPrefix(segs[0], "v=") {
		p.version, segs = segs[0][2:], segs[1:]
	}
	if len(segs) != 3 {
		return p, fmt.Errorf("not a PHC string: want $%s$params$salt$hash", p.id)
	}
	p.params = map[string]string{}
	for _, kv := range strings.Split(segs[0], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return p, fmt.Errorf("parameter %q is not name=value", kv)
		}
		p.params[k] = v
	}
	var err error
	if p.salt, err = phcB64(segs[1]); err != nil {
		return p, fmt.Errorf("salt: %w", err)
	}
	if p.hash, err = phcB64(segs[2]); err != nil {
		return p, fmt.Errorf("hash: %w", err)
	}
	return p, nil
}

// phcB64 decodes PHC's unpadded standard base64, also taking padding and
// passlib's "." in place of "+".
func phcB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.ReplaceAll(s, ".", "+"), "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64")
	}
	return b, nil
}

// intParam reads a positive integer parameter no larger than max.
func (p phc) intParam(name string, max int) (int, error) {
	v, ok := p.params[name]
	if !ok {
		return 0, fmt.Errorf("parameter %s is missing", name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > max {
		return 0, fmt.Errorf("parameter %s=%s is not an integer from 1 to %d", name, v, max)
	}
	return n, nil
}

type argon2Hash struct {
	phc
	memory, time, threads int
}

func parseArgon2(h string) (verifier, error) {
	p, err := parsePHC(h)
	if err != nil {
		return nil, fmt.Errorf("argon2: %w", err)
	}
	switch p.id {
	case "argon2id", "argon2i", "argon2d":
	default:
		return nil, fmt.Errorf("argon2: algorithm %q: want argon2id, argon2i or argon2d", p.id)
	}
	if p.version != "" && p.version != "19" && p.version != "16" {
		return nil, fmt.Errorf("argon2: version v=%s: want 19 or 16", p.version)
	}
	a := argon2Hash{phc: p}
	if a.memory, err = p.intParam("m", 1<<32-1); err != nil {
		return nil, fmt.Errorf("argon2: %w", err)
	}
	if a.time, err = p.intParam("t", 1<<32-1); err != nil {
		return nil, fmt.Errorf("argon2: %w", err)
	}
	if a.threads, err = p.intParam("p", 255); err != nil {
		return nil, fmt.Errorf("argon2: %w", err)
	}
	return a, nil
}

func (a argon2Hash) verify(pw []byte) (bool, error) {
	if a.version == "16" {
		return false, fmt.Errorf("argon2 version 16 cannot be verified here: %w", ErrUnsupported)
	}
	var key []byte
	switch a.id {
	case "argon2id":
		key = argon2.IDKey(pw, a.salt, uint32(a.time), uint32(a.memory), uint8(a.threads), uint32(len(a.hash)))
	case "argon2i":
		key = argon2.Key(pw, a.salt, uint32(a.time), uint32(a.memory), uint8(a.threads), uint32(len(a.hash)))
	default:
		return false, fmt.Errorf("%s cannot be verified here: %w", a.id, ErrUnsupported)
	}
	return hmac.Equal(key, a.hash), nil
}

type pbkdf2Hash struct {
	phc
	iter int
	h    func() hash.Hash
}

func parsePBKDF2(h string) (verifier, error) {
	p, err := parsePHC(h)
	if err != nil {
		return nil, fmt.Errorf("pbkdf2: %w", err)
	}
	k := pbkdf2Hash{phc: p}
	switch p.id {
	case "pbkdf2-sha256":
		k.h = sha256.New
	case "pbkdf2-sha512":
		k.h = sha512.New
	case "pbkdf2-sha1", "pbkdf2":
		k.h = sha1.New
	default:
		return nil, fmt.Errorf("pbkdf2: algorithm %q: want pbkdf2-sha256, pbkdf2-sha512 or pbkdf2-sha1", p.id)
	}
	if k.iter, err = p.intParam("i", 1<<31-1); err != nil {
		return nil, fmt.Errorf("pbkdf2: %w", err)
	}
	if _, ok := p.params["l"]; ok {
		l, err := p.intParam("l", 1024)
		if err != nil {
			return nil, fmt.Errorf("pbkdf2: %w", err)
		}
		if l != len(p.hash) {
			return nil, fmt.Errorf("pbkdf2: l=%d but the hash is %d bytes", l, len(p.hash))
		}
	}
	return k, nil
}

func (k pbkdf2Hash) verify(pw []byte) (bool, error) {
	return hmac.Equal(pbkdf2.Key(pw, k.salt, k.iter, len(k.hash), k.h), k.hash), nil
}

type scryptHash struct {
	phc
	n, r, p int
}

func parseScrypt(h string) (verifier, error) {
	ph, err := parsePHC(h)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	if ph.id != "scrypt" {
		return nil, fmt.Errorf("scrypt: algorithm %q: want scrypt", ph.id)
	}
	s := scryptHash{phc: ph}
	if _, ok := ph.params["ln"]; ok {
		ln, err := ph.intParam("ln", 30)
		if err != nil {
			return nil, fmt.Errorf("scrypt: %w", err)
		}
		s.n = 1 << ln
	} else if s.n, err = ph.intParam("n", 1<<30); err != nil {
		return nil, fmt.Errorf("scrypt: want ln (log2 of N) or n: %w", err)
	}
	if s.r, err = ph.intParam("r", 1<<16); err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	if s.p, err = ph.intParam("p", 1<<16); err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return s, nil
}

func (s scryptHash) verify(pw []byte) (bool, error) {
	key, err := scrypt.Key(pw, s.salt, s.n, s.r, s.p, len(s.hash))
	if err != nil {
		return false, err
	}
	return hmac.Equal(key, s.hash), nil
}

// Firebase is the modified scrypt Firebase Auth uses. Its hash is the
// signer key encrypted with AES-256-CTR (zero IV) under a key derived by
// scrypt(password, salt || salt separator, N=2^MemCost, r=Rounds, p=1).
type Firebase struct {
	Hash, Salt, SignerKey, SaltSeparator []byte
	Rounds, MemCost                      int
}

func parseFirebase(h string) (verifier, error) {
	const prefix = "$firebase-scrypt$"
	if !strings.HasPrefix(h, prefix) {
		return nil, errors.New("firebase-scrypt hash must be $firebase-scrypt$hash=..$salt=..$sk=..$ss=..$r=..$m=..")
	}
	got := map[string]string{}
	for _, seg := range strings.Split(h[len(prefix):], "$") {
		k, v, ok := strings.Cut(seg, "=")
		if !ok {
			return nil, fmt.Errorf("firebase-scrypt: segment %q is not name=value", seg)
		}
		got[k] = v
	}
	var f Firebase
	for _, b := range []struct {
		name string
		dst  *[]byte
	}{{"hash", &f.Hash}, {"salt", &f.Salt}, {"sk", &f.SignerKey}, {"ss", &f.SaltSeparator}} {
		v, ok := got[b.name]
		if !ok || v == "" {
			return nil, fmt.Errorf("firebase-scrypt: %s= is missing", b.name)
		}
		d, err := stdB64(v)
		if err != nil {
			return nil, fmt.Errorf("firebase-scrypt: %s= is not base64", b.name)
		}
		*b.dst = d
	}
	var err error
	if f.Rounds, err = smallInt(got, "r", 1, 64); err != nil {
		return nil, err
	}
	if f.MemCost, err = smallInt(got, "m", 1, 30); err != nil {
		return nil, err
	}
	return f, nil
}

func smallInt(m map[string]string, name string, lo, hi int) (int, error) {
	v, ok := m[name]
	if !ok || v == "" {
		return 0, fmt.Errorf("firebase-scrypt: %s= is missing", name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("firebase-scrypt: %s=%s is not an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// stdB64 decodes standard base64, padded or not.
func stdB64(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

func (f Firebase) verify(pw []byte) (bool, error) {
	got, err := f.Derive(pw)
	if err != nil {
		return false, err
	}
	return hmac.Equal(got, f.Hash), nil
}

// Derive computes the hash Firebase would store for password with these
// parameters.
func (f Firebase) Derive(password []byte) ([]byte, error) {
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

// String is the firebase-scrypt string WorkOS takes for these
// parameters, all base64 values standard and padded.
func (f Firebase) String() string {
	e := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("$firebase-scrypt$hash=%s$salt=%s$sk=%s$ss=%s$r=%d$m=%d",
		e(f.Hash), e(f.Salt), e(f.SignerKey), e(f.SaltSeparator), f.Rounds, f.MemCost)
}

// ssha: "{SSHA}" then base64 of SHA-1(password || salt) followed by the salt.
type sshaHash struct{ digest, salt []byte }

func parseSSHA(h string) (verifier, error) {
	if !strings.HasPrefix(h, "{SSHA}") {
		return nil, errors.New("ssha hash must start with {SSHA}")
	}
	b, err := base64.StdEncoding.DecodeString(h[len("{SSHA}"):])
	if err != nil {
		return nil, errors.New("ssha: the part after {SSHA} is not base64")
	}
	if len(b) <= sha1.Size {
		return nil, fmt.Errorf("ssha: %d bytes decoded; want a %d-byte SHA-1 digest followed by a salt", len(b), sha1.Size)
	}
	return sshaHash{b[:sha1.Size], b[sha1.Size:]}, nil
}

func (s sshaHash) verify(pw []byte) (bool, error) {
	d := sha1.Sum(append(append([]byte{}, pw...), s.salt...))
	return hmac.Equal(d[:], s.digest), nil
}

// VerifyDigest verifies password against a digest as the source exported
// it, named by the source's hasher (users.source_hasher). It knows Clerk's
// hasher names and recognises bcrypt, PHC and {SSHA} strings by their shape.
func VerifyDigest(hasher, digest, password string) (bool, error) {
	pw := []byte(password)
	switch strings.ToLower(strings.TrimSpace(hasher)) {
	case "bcrypt":
		return Verify("bcrypt", digest, password)
	case "argon2", "argon2i", "argon2id":
		return Verify("argon2", digest, password)
	case "scrypt_firebase":
		p := strings.Split(digest, "$")
		if len(p) != 6 {
			return false, errors.New("scrypt_firebase digest must be hash$salt$signer_key$salt_separator$rounds$mem_cost")
		}
		v, err := parseFirebase(fmt.Sprintf("$firebase-scrypt$hash=%s$salt=%s$sk=%s$ss=%s$r=%s$m=%s", p[0], p[1], p[2], p[3], p[4], p[5]))
		if err != nil {
			return false, err
		}
		return v.verify(pw)
	case "pbkdf2_sha256", "pbkdf2_sha256_django", "pbkdf2_sha1":
		return verifyClerkPBKDF2(hasher, digest, pw)
	case "md5":
		d := md5.Sum(pw)
		return hexEqual(digest, d[:])
	case "sha256":
		d := sha256.Sum256(pw)
		return hexEqual(digest, d[:])
	case "ldap_ssha", "ssha":
		return Verify("ssha", digest, password)
	}
	switch {
	case strings.HasPrefix(digest, "$2"):
		return Verify("bcrypt", digest, password)
	case strings.HasPrefix(digest, "$argon2"):
		return Verify("argon2", digest, password)
	case strings.HasPrefix(digest, "$pbkdf2"):
		return Verify("pbkdf2", digest, password)
	case strings.HasPrefix(digest, "$scrypt$"):
		return Verify("scrypt", digest, password)
	case strings.HasPrefix(digest, "{SSHA}"):
		return Verify("ssha", digest, password)
	}
	return false, fmt.Errorf("source hasher %q is %w for verification", hasher, ErrUnsupported)
}

func hexEqual(digest string, sum []byte) (bool, error) {
	d, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(digest)))
	if err != nil {
		return false, errors.New("digest is not hex")
	}
	return hmac.Equal(d, sum), nil
}

// verifyClerkPBKDF2 reads Clerk's "pbkdf2_<digest>$<iterations>$<salt>$<hash>"
// forms: pbkdf2_sha256 has a base64 salt and hash; the Django form has a
// literal salt and a base64 hash; pbkdf2_sha1 a literal salt and a hex hash.
func verifyClerkPBKDF2(hasher, digest string, pw []byte) (bool, error) {
	p := strings.Split(digest, "$")
	if len(p) != 4 {
		return false, fmt.Errorf("%s digest must be name$iterations$salt$hash", hasher)
	}
	iter, err := strconv.Atoi(p[1])
	if err != nil || iter <= 0 {
		return false, fmt.Errorf("%s: iterations %q is not a positive integer", hasher, p[1])
	}
	salt, want := []byte(p[2]), []byte(nil)
	h := sha256.New
	switch hasher {
	case "pbkdf2_sha256":
		if salt, err = phcB64(strings.NewReplacer("-", "+", "_", "/").Replace(p[2])); err != nil {
			return false, fmt.Errorf("%s salt: %w", hasher, err)
		}
		want, err = phcB64(strings.NewReplacer("-", "+", "_", "/").Replace(p[3]))
	case "pbkdf2_sha256_django":
		want, err = phcB64(p[3])
	default:
		h = sha1.New
		want, err = hex.DecodeString(p[3])
	}
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("%s: the hash part cannot be decoded", hasher)
	}
	return hmac.Equal(pbkdf2.Key(pw, salt, iter, len(want), h), want), nil
}
