package passhash

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"
)

// phc is a PHC string: $id[$v=version]$params$salt$hash, the form WorkOS
// takes for argon2, pbkdf2 and scrypt.
type phc struct {
	id      string
	version string
	params  map[string]string
	salt    []byte
	hash    []byte
}

// phcShape reports the algorithm id of a string shaped like a PHC string:
// an id, an optional v= segment, then parameters, a non-empty salt and a
// non-empty hash. It reads no values; parsePHC does.
func phcShape(h string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(h, "$")
	if !ok {
		return "", false
	}
	segs := strings.Split(rest, "$")
	id, segs = segs[0], segs[1:]
	if len(segs) > 0 && strings.HasPrefix(segs[0], "v=") {
		segs = segs[1:]
	}
	if id == "" || len(segs) != 3 || segs[1] == "" || segs[2] == "" {
		return "", false
	}
	return id, true
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
	for i, kv := range strings.Split(segs[0], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			// By position: a hash without its parameters has its salt
			// here, and the message reaches findings and reports.
			return p, fmt.Errorf("parameter %d is not name=value", i+1)
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
func (p phc) intParam(name string, max int64) (int, error) {
	v, ok := p.params[name]
	if !ok {
		return 0, fmt.Errorf("parameter %s is missing", name)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || int64(n) > max {
		return 0, fmt.Errorf("parameter %s=%s is not an integer from 1 to %d", name, v, max)
	}
	return n, nil
}

// argon2IDs are the argon2 variants a PHC string may name.
var argon2IDs = map[string]bool{"argon2id": true, "argon2i": true, "argon2d": true}

type argon2Hash struct {
	phc
	memory, time, threads int
}

func parseArgon2(h string) (verifier, error) {
	p, err := parsePHC(h)
	if err != nil {
		return nil, fmt.Errorf("argon2: %w", err)
	}
	if !argon2IDs[p.id] {
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

// pbkdf2IDs are the PHC ids of PBKDF2 with the hash each uses; plain
// "pbkdf2" is passlib's name for PBKDF2-SHA1.
var pbkdf2IDs = map[string]func() hash.Hash{
	"pbkdf2-sha256": sha256.New,
	"pbkdf2-sha512": sha512.New,
	"pbkdf2-sha1":   sha1.New,
	"pbkdf2":        sha1.New,
}

// PBKDF2 is a PBKDF2 hash and its parameters. Sources that export PBKDF2
// in their own layout (Django's "pbkdf2_sha256$iterations$salt$hash", for
// one) fill it in and hand WorkOS its String form.
type PBKDF2 struct {
	// PRF is the HMAC hash: sha256, sha512 or sha1.
	PRF        string
	Iterations int
	Salt, Hash []byte
}

// String is the PHC string WorkOS's pbkdf2 type takes for p:
// "$pbkdf2-<prf>$i=<iterations>,l=<hash length>$<salt>$<hash>", salt and
// hash in unpadded standard base64.
func (p PBKDF2) String() string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$pbkdf2-%s$i=%d,l=%d$%s$%s", p.PRF, p.Iterations, len(p.Hash), enc.EncodeToString(p.Salt), enc.EncodeToString(p.Hash))
}

// ParsePBKDF2 reads a pbkdf2 PHC string, failing as Validate does on one
// WorkOS would reject. The id "pbkdf2" reads as PRF sha1.
func ParsePBKDF2(s string) (PBKDF2, error) {
	v, err := parse("pbkdf2", s)
	if err != nil {
		return PBKDF2{}, err
	}
	return v.(PBKDF2), nil
}

func parsePBKDF2(h string) (verifier, error) {
	p, err := parsePHC(h)
	if err != nil {
		return nil, fmt.Errorf("pbkdf2: %w", err)
	}
	if pbkdf2IDs[p.id] == nil {
		return nil, fmt.Errorf("pbkdf2: algorithm %q: want pbkdf2-sha256, pbkdf2-sha512 or pbkdf2-sha1", p.id)
	}
	k := PBKDF2{PRF: strings.TrimPrefix(p.id, "pbkdf2-"), Salt: p.salt, Hash: p.hash}
	if k.PRF == "pbkdf2" {
		k.PRF = "sha1"
	}
	if k.Iterations, err = p.intParam("i", 1<<31-1); err != nil {
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

func (p PBKDF2) verify(pw []byte) (bool, error) {
	h := pbkdf2IDs["pbkdf2-"+p.PRF]
	if h == nil {
		return false, fmt.Errorf("pbkdf2 with %q cannot be verified here: %w", p.PRF, ErrUnsupported)
	}
	return hmac.Equal(pbkdf2.Key(pw, p.Salt, p.Iterations, len(p.Hash), h), p.Hash), nil
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
