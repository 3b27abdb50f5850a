package passhash

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

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
