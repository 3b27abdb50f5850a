package passhash

import (
	"encoding/base64"
	"strings"
)

// DecodeBase64 decodes base64 as sources write it: the standard or the
// URL-safe alphabet, padded or not. Sources hand their digests' parts
// through it before building a WorkOS string, which always carries
// standard base64.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// decodeStd decodes standard base64, padded or not: what WorkOS's strings
// carry.
func decodeStd(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
