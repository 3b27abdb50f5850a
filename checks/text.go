package checks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mig-tools/mig/accept"
)

// ControlCharacters names the fields (in order: email, first_name,
// last_name, external_id, username) that hold a control character (Unicode
// category Cc: NUL to U+001F, DEL, U+0080 to U+009F), each with its first
// one, or "" when none does. Exports carry them as debris (a NUL byte, an
// escape sequence), invisible wherever the value is shown.
func ControlCharacters(fields ...string) string {
	names := []string{"email", "first_name", "last_name", "external_id", "username"}
	var out []string
	for i, f := range fields {
		if i >= len(names) {
			break
		}
		if r, ok := firstControl(f, false); ok {
			out = append(out, fmt.Sprintf("%s has %U", names[i], r))
		}
	}
	return strings.Join(out, ", ")
}

// MetadataControlCharacters names the keys of metadata s whose key or
// string value holds a control character, each with its first one, or ""
// when none does (or s is not a JSON object: metadata_limits reports that).
// Line breaks and tabs in values are not reported: multi-line text is
// ordinary there.
func MetadataControlCharacters(s string) string {
	if !mayHoldControl(s) {
		return ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return ""
	}
	var out []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		if r, ok := firstControl(k, false); ok {
			out = append(out, fmt.Sprintf("metadata key %q has %U", k, r))
			continue
		}
		var v string
		if json.Unmarshal(m[k], &v) != nil {
			continue
		}
		if r, ok := firstControl(v, true); ok {
			out = append(out, fmt.Sprintf("metadata %q has %U", k, r))
		}
	}
	return strings.Join(out, ", ")
}

// mayHoldControl is false when JSON text s surely holds no control
// character in a string: raw ones below U+0020 cannot be in a JSON string,
// so one needs an escape (a backslash), a raw DEL, or a raw U+0080 to
// U+009F (0xC2 then 0x80 to 0x9F in UTF-8). It saves decoding a million
// objects that have none.
func mayHoldControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return true
		}
	}
	return false
}

// firstControl returns the first control character of s; breaks allows
// tab, line feed and carriage return. It reads bytes, not runes: in UTF-8
// the Cc characters are exactly the bytes below 0x20, 0x7F, and 0xC2
// followed by 0x80 to 0x9F (U+0080 to U+009F), and a million names are
// read this way.
func firstControl(s string, breaks bool) (rune, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20:
			if !breaks || c != '\t' && c != '\n' && c != '\r' {
				return rune(c), true
			}
		case c == 0x7f:
			return 0x7f, true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return rune(s[i+1]), true
		}
	}
	return 0, false
}

// NameTooLong says which of first_name and last_name is longer than
// accept.MaxNameChars characters, and how long, or "" when neither is.
func NameTooLong(first, last string) string {
	var out []string
	for _, f := range []struct{ name, v string }{{"first_name", first}, {"last_name", last}} {
		if len(f.v) <= accept.MaxNameChars {
			continue // no more bytes than the bound: no more characters either
		}
		if n := utf8.RuneCountInString(f.v); n > accept.MaxNameChars {
			out = append(out, fmt.Sprintf("%s is %d characters", f.name, n))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return fmt.Sprintf("%s; names over %d characters are not known to be accepted by WorkOS", strings.Join(out, ", "), accept.MaxNameChars)
}
