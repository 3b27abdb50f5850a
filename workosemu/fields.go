package workosemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mig-tools/mig/accept"
)

// fields is a decoded JSON object body. Handlers read it key by key so they
// can tell an absent key from an explicit null, which WorkOS treats
// differently on updates.
type fields map[string]json.RawMessage

// decodeFields parses a request body that must be a JSON object. Unknown
// keys are kept and ignored, as production ignores them (the Go SDK sends
// "Name" and "User" keys that the API never reads).
func decodeFields(body []byte) (fields, *reply) {
	f := fields{}
	if len(bytes.TrimSpace(body)) == 0 {
		return f, nil
	}
	if err := json.Unmarshal(body, &f); err != nil || f == nil {
		r := errMessage(http.StatusBadRequest, "Request body must be a JSON object.")
		return nil, &r
	}
	return f, nil
}

func (f fields) has(k string) bool { _, ok := f[k]; return ok }

func (f fields) isNull(k string) bool {
	v, ok := f[k]
	return ok && string(bytes.TrimSpace(v)) == "null"
}

func typeError(k, want string) *reply {
	r := errInvalidParams(k, "invalid_type", fmt.Sprintf("%s must be %s.", k, want))
	return &r
}

// str reads a string key; absent and null both give ok=false.
func (f fields) str(k string) (v string, ok bool, bad *reply) {
	raw, present := f[k]
	if !present || f.isNull(k) {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false, typeError(k, "a string")
	}
	return v, true, nil
}

// nullableStr reads a key that may be a string or null. set reports whether
// the key was present at all; v is nil for an explicit null.
func (f fields) nullableStr(k string) (v *string, set bool, bad *reply) {
	if !f.has(k) {
		return nil, false, nil
	}
	if f.isNull(k) {
		return nil, true, nil
	}
	s, _, bad := f.str(k)
	if bad != nil {
		return nil, true, bad
	}
	return &s, true, nil
}

func (f fields) boolean(k string) (v bool, ok bool, bad *reply) {
	raw, present := f[k]
	if !present || f.isNull(k) {
		return false, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false, typeError(k, "a boolean")
	}
	return v, true, nil
}

func (f fields) strSlice(k string) (v []string, ok bool, bad *reply) {
	raw, present := f[k]
	if !present || f.isNull(k) {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false, typeError(k, "an array of strings")
	}
	return v, true, nil
}

// Metadata limits, from the spec's metadata schema and the WorkOS docs.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 600
	maxExternalIDLen    = 128
)

// metadata reads a metadata object. Anything outside the limits, or a value
// that is not a string, is the 400 invalid_metadata production answers.
func (f fields) metadata(k string) (m map[string]string, set bool, bad *reply) {
	raw, present := f[k]
	if !present {
		return nil, false, nil
	}
	// null means "not given": the Go SDK sends metadata null whenever the
	// caller left it unset, and that must not wipe what is stored. Send {}
	// to clear.
	if f.isNull(k) {
		return nil, false, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		r := errCode(http.StatusBadRequest, "invalid_metadata", "Metadata must be an object of string values.")
		return nil, true, &r
	}
	if len(obj) > maxMetadataKeys {
		r := errCode(http.StatusBadRequest, "invalid_metadata", "Metadata may have at most %d keys.", maxMetadataKeys)
		return nil, true, &r
	}
	m = make(map[string]string, len(obj))
	for key, v := range obj {
		if utf8.RuneCountInString(key) > maxMetadataKeyLen {
			r := errCode(http.StatusBadRequest, "invalid_metadata", "Metadata key '%s' is longer than %d characters.", key, maxMetadataKeyLen)
			return nil, true, &r
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			r := errCode(http.StatusBadRequest, "invalid_metadata", "Metadata value for '%s' must be a string.", key)
			return nil, true, &r
		}
		if utf8.RuneCountInString(s) > maxMetadataValueLen {
			r := errCode(http.StatusBadRequest, "invalid_metadata", "Metadata value for '%s' is longer than %d characters.", key, maxMetadataValueLen)
			return nil, true, &r
		}
		m[key] = s
	}
	return m, true, nil
}

// externalID reads external_id: a string of at most 128 characters, or null.
func (f fields) externalID() (v *string, set bool, bad *reply) {
	v, set, bad = f.nullableStr("external_id")
	if bad != nil || v == nil {
		return v, set, bad
	}
	if utf8.RuneCountInString(*v) > maxExternalIDLen {
		r := errInvalidParams("external_id", "too_long", fmt.Sprintf("external_id must be at most %d characters.", maxExternalIDLen))
		return nil, true, &r
	}
	return v, set, nil
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validEmail is accept.Email, the one rule of mig's check, validate-package
// and this emulator: an address it rejects is refused, and one whose
// acceptance by WorkOS is unknown is taken (the check warns of it), since
// the emulator must answer one way and the spec states no syntax.
func validEmail(s string) bool {
	v, _ := accept.Email(s)
	return v != accept.Rejected
}
