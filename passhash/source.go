package passhash

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// VerifySourceDigest verifies password against a source digest: a hash
// kept in users.source_password_digest because WorkOS cannot take it as it
// is, named by hasher (users.source_hasher). It lets a user tell a wrong
// password from a hash that will not be imported.
//
// It reads what any source may stage there: a WorkOS type (which
// --drop-invalid-password-hashes leaves as the hasher of a hash it moved
// here), md5 and sha256 as hex digests of the bare password, and any
// digest Detect recognises whatever its name. A source's own layouts
// (Clerk's scrypt_firebase and pbkdf2_*) are not read here: the source's
// ingest converts them to WorkOS's form, and one stays a digest only when
// it could not be read, which a second reader would not change.
func VerifySourceDigest(hasher, digest, password string) (bool, error) {
	name := strings.ToLower(strings.TrimSpace(hasher))
	if IsType(name) {
		return Verify(name, digest, password)
	}
	pw := []byte(password)
	switch name {
	case "md5":
		d := md5.Sum(pw)
		return hexEqual(digest, d[:])
	case "sha256":
		d := sha256.Sum256(pw)
		return hexEqual(digest, d[:])
	}
	if typ, ok := Detect(digest); ok {
		return Verify(typ, digest, password)
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
