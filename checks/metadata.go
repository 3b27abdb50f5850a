package checks

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WorkOS limits on user metadata.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 600
)

// reservedMetadataKeys are metadata keys that have the name of a WorkOS
// user field. WorkOS stores them, but they read as the field to anyone
// looking at the user and to tools that merge metadata into the user.
var reservedMetadataKeys = map[string]bool{
	"id": true, "object": true, "email": true, "email_verified": true, "first_name": true, "last_name": true,
	"external_id": true, "password": true, "password_hash": true, "password_hash_type": true, "metadata": true,
	"profile_picture_url": true, "created_at": true, "updated_at": true, "last_sign_in_at": true, "locale": true,
}

// metaEntry is one key of a metadata object: its value's JSON kind
// ("string", "number", "boolean", "null", "object", "array") and its length
// in characters (the string's for a string, the JSON text's otherwise).
type metaEntry struct {
	key  string
	kind string
	size int
}

// parseMetadata reads a JSON object. ok is false when s is not one. The
// fast path covers the compact objects of string values that ingest
// writes; anything else goes through encoding/json.
func parseMetadata(s string) (entries []metaEntry, ok bool) {
	if e, ok := parseCompact(s); ok {
		return e, true
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		e := metaEntry{key: key, size: utf8.RuneCount(raw)}
		switch raw[0] {
		case '"':
			var v string
			json.Unmarshal(raw, &v)
			e.kind, e.size = "string", utf8.RuneCountInString(v)
		case '{':
			e.kind = "object"
		case '[':
			e.kind = "array"
		case 't', 'f':
			e.kind = "boolean"
		case 'n':
			e.kind = "null"
		default:
			e.kind = "number"
		}
		entries = append(entries, e)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return entries, true
}

// parseCompact reads {"k":"v",...} with no whitespace and no escapes.
func parseCompact(s string) ([]metaEntry, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	if s == "{}" {
		return nil, true
	}
	var out []metaEntry
	i := 1
	str := func() (string, bool) {
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return "", false
		}
		v := s[i+1 : i+1+j]
		if strings.IndexByte(v, '\\') >= 0 || !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 }) >= 0 {
			return "", false
		}
		i += j + 2
		return v, true
	}
	for {
		k, ok := str()
		if !ok || i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i++
		v, ok := str()
		if !ok || i >= len(s) {
			return nil, false
		}
		out = append(out, metaEntry{key: k, kind: "string", size: utf8.RuneCountInString(v)})
		switch s[i] {
		case ',':
			i++
		case '}':
			return out, i == len(s)-1
		default:
			return nil, false
		}
	}
}

// MetadataProblem says why WorkOS would refuse metadata s (not a JSON
// object, over 50 keys, a key over 40 characters, a value over 600, a value
// that is not a string), or "" when it would take it.
func MetadataProblem(s string) string {
	entries, ok := parseMetadata(s)
	if !ok {
		return "metadata is not a JSON object"
	}
	var p []string
	if len(entries) > maxMetadataKeys {
		p = append(p, fmt.Sprintf("metadata has %d keys; WorkOS takes at most %d", len(entries), maxMetadataKeys))
	}
	var kinds []string
	for _, e := range entries {
		if n := utf8.RuneCountInString(e.key); n > maxMetadataKeyLen {
			p = append(p, fmt.Sprintf("metadata key %q is %d characters; WorkOS takes at most %d", e.key, n, maxMetadataKeyLen))
		}
		if e.kind != "string" {
			kinds = append(kinds, fmt.Sprintf("%q is %s", e.key, withArticle(e.kind)))
		} else if e.size > maxMetadataValueLen {
			p = append(p, fmt.Sprintf("metadata value of %q is %d characters; WorkOS takes at most %d", e.key, e.size, maxMetadataValueLen))
		}
	}
	if len(kinds) > 0 {
		p = append(p, "metadata "+strings.Join(kinds, ", ")+"; WorkOS takes strings only")
	}
	return strings.Join(p, "; ")
}

func withArticle(kind string) string {
	switch kind {
	case "null":
		return "null"
	case "object", "array":
		return "an " + kind
	}
	return "a " + kind
}

// ReservedMetadataKeys lists the keys of metadata s that have the name of a
// WorkOS user field, in their order in s.
func ReservedMetadataKeys(s string) []string {
	entries, _ := parseMetadata(s)
	var keys []string
	for _, e := range entries {
		if reservedMetadataKeys[e.key] {
			keys = append(keys, e.key)
		}
	}
	return keys
}
