package ingest

import (
	"encoding/json"
	"slices"
)

// The JSON columns of a user (metadata, emails, phones, raw) are encoded by
// hand for the shapes they have: encoding/json's reflection and key sorting
// were a large part of the CPU of parsing a million-user export
// (bench/RESULTS.md), which runs beside the database writes and held them up. The output is byte for byte
// what json.Marshal gives (jsonenc_test.go checks it), so content hashes and
// emitted packages do not change.

// appendJSONString appends s as encoding/json writes it. Strings of plain
// printable ASCII, nearly all of them, are copied; anything else goes
// through encoding/json, so its escaping rules (HTML characters, U+2028,
// invalid UTF-8) need no copy here.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendJSONMap appends m as a JSON object with its keys sorted, as
// encoding/json writes a map (a nil map as {}).
func appendJSONMap(dst []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

// appendJSONContacts appends emails or phones as encoding/json writes the
// Email and Phone structs (a nil slice as []).
func appendJSONContacts(dst []byte, field string, n int, at func(int) (string, bool, bool)) []byte {
	dst = append(dst, '[')
	for i := range n {
		v, verified, primary := at(i)
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"`...)
		dst = append(dst, field...)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, v)
		dst = append(dst, `,"verified":`...)
		dst = appendJSONBool(dst, verified)
		dst = append(dst, `,"primary":`...)
		dst = appendJSONBool(dst, primary)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendJSONBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendJSONAny appends v: a map[string]string by hand, a json.RawMessage
// that encoding/json would copy unchanged as it is, anything else by
// encoding/json.
func appendJSONAny(dst []byte, v any) ([]byte, error) {
	if m, ok := v.(map[string]string); ok && m != nil {
		return appendJSONMap(dst, m), nil
	}
	if r, ok := v.(json.RawMessage); ok && compactJSON(r) {
		return append(dst, r...), nil
	}
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

// compactJSON reports whether encoding/json would marshal raw, a valid JSON
// value (a json.RawMessage is one), byte for byte as it is: no white space
// outside strings, and nothing it escapes (<, >, &, U+2028, U+2029; the
// last two start with the byte 0xE2). A source's raw copy of an export line
// usually is, and copying it is a tenth of the work of compacting it.
func compactJSON(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	inString := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '<' || c == '>' || c == '&' || c == 0xE2:
			return false
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		}
	}
	return true
}
