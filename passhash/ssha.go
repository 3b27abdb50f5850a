package passhash

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const sshaPrefix = "{SSHA}"

// sshaHash is "{SSHA}" then base64 of SHA-1(password || salt) followed by
// the salt, as LDAP directories store it.
type sshaHash struct{ digest, salt []byte }

func parseSSHA(h string) (verifier, error) {
	if !strings.HasPrefix(h, sshaPrefix) {
		return nil, errors.New("ssha hash must start with {SSHA}")
	}
	b, err := base64.StdEncoding.DecodeString(h[len(sshaPrefix):])
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
