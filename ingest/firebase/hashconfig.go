package firebase

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
)

// HashConfig is a Firebase project's password hash parameters, as the
// console shows them (Authentication > Users > ⋮ > Password hash
// parameters). Every password hash of an auth:export is the project's
// modified scrypt under these parameters; without them no hash can be
// checked, so none is imported.
type HashConfig struct {
	SignerKey     string // base64_signer_key
	SaltSeparator string // base64_salt_separator
	Rounds        int    // rounds
	MemCost       int    // mem_cost
}

// Validate checks the parameters and returns them with the two keys in
// standard, padded base64, the form WorkOS's firebase-scrypt string takes.
// The console shows standard base64; URL-safe or unpadded copies are
// accepted. Whether rounds and mem_cost are in the range Firebase uses is
// checked by mig check and verify-password, which hold the firebase-scrypt
// rules.
func (h HashConfig) Validate() (HashConfig, error) {
	var err error
	if h.SignerKey, err = normB64(h.SignerKey); err != nil || h.SignerKey == "" {
		return h, fmt.Errorf("base64_signer_key: %s", orEmpty(err))
	}
	if h.SaltSeparator, err = normB64(h.SaltSeparator); err != nil || h.SaltSeparator == "" {
		return h, fmt.Errorf("base64_salt_separator: %s", orEmpty(err))
	}
	if h.Rounds <= 0 {
		return h, fmt.Errorf("rounds: %d is not a positive number", h.Rounds)
	}
	if h.MemCost <= 0 {
		return h, fmt.Errorf("mem_cost: %d is not a positive number", h.MemCost)
	}
	return h, nil
}

func orEmpty(err error) string {
	if err == nil {
		return "empty"
	}
	return err.Error()
}

// LoadHashConfig reads the parameters from a file: JSON with the console's
// key names (flat, or wrapped in a "hash_config" object), or the console's
// text block "hash_config { algorithm: SCRYPT, base64_signer_key: ..., }".
// Errors name the file, the line and the key.
func LoadHashConfig(path string) (HashConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return HashConfig{}, err
	}
	return ParseHashConfig(path, b)
}

// ParseHashConfig is LoadHashConfig for a file already read; name is used in
// errors.
func ParseHashConfig(name string, b []byte) (HashConfig, error) {
	var (
		fields map[string]hashValue
		err    error
	)
	if t := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))); len(t) > 0 && t[0] == '{' {
		fields, err = hashFieldsJSON(name, t)
	} else {
		fields, err = hashFieldsText(name, b)
	}
	if err != nil {
		return HashConfig{}, err
	}
	var h HashConfig
	at := func(key string) int { return fields[key].line }
	if a, ok := fields["algorithm"]; ok && !strings.EqualFold(a.text, "SCRYPT") {
		return h, &ingest.LineError{File: name, Line: a.line, Field: "algorithm",
			Msg: fmt.Sprintf("%q: only Firebase's modified SCRYPT, the algorithm of its own password hashes, has these parameters", a.text)}
	}
	for _, key := range []string{"base64_signer_key", "base64_salt_separator", "rounds", "mem_cost"} {
		if _, ok := fields[key]; !ok {
			return h, &ingest.LineError{File: name, Line: 1, Field: key, Msg: "missing: the hash parameters are base64_signer_key, base64_salt_separator, rounds and mem_cost"}
		}
	}
	for key, dst := range map[string]*int{"rounds": &h.Rounds, "mem_cost": &h.MemCost} {
		n, err := strconv.Atoi(fields[key].text)
		if err != nil {
			return h, &ingest.LineError{File: name, Line: at(key), Field: key, Msg: fmt.Sprintf("%q is not a whole number", fields[key].text)}
		}
		*dst = n
	}
	h.SignerKey, h.SaltSeparator = fields["base64_signer_key"].text, fields["base64_salt_separator"].text
	v, err := h.Validate()
	if err != nil {
		key, _, _ := strings.Cut(err.Error(), ":")
		return h, &ingest.LineError{File: name, Line: at(key), Field: key, Msg: strings.TrimSpace(strings.TrimPrefix(err.Error(), key+":"))}
	}
	return v, nil
}

// hashValue is one parameter as written, and the line it is on.
type hashValue struct {
	text string
	line int
}

var hashKeys = map[string]bool{"algorithm": true, "base64_signer_key": true, "base64_salt_separator": true, "rounds": true, "mem_cost": true}

func hashFieldsJSON(name string, b []byte) (map[string]hashValue, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, jsonFileError(name, b, err)
	}
	obj := top
	if inner, ok := top["hash_config"]; ok {
		obj = nil
		if err := json.Unmarshal(inner, &obj); err != nil || obj == nil {
			return nil, &ingest.LineError{File: name, Line: lineOf(b, bytes.Index(b, inner)), Field: "hash_config", Msg: "not a JSON object"}
		}
	}
	out := map[string]hashValue{}
	for k, raw := range obj {
		line := lineOf(b, bytes.Index(b, []byte(`"`+k+`"`)))
		if !hashKeys[k] {
			return nil, &ingest.LineError{File: name, Line: line, Field: k, Msg: "not a hash parameter: the console's names are algorithm, base64_signer_key, base64_salt_separator, rounds and mem_cost"}
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		dec.Decode(&v)
		switch x := v.(type) {
		case string:
			out[k] = hashValue{strings.TrimSpace(x), line}
		case json.Number:
			out[k] = hashValue{x.String(), line}
		default:
			return nil, &ingest.LineError{File: name, Line: line, Field: k, Msg: "not a string or a number"}
		}
	}
	return out, nil
}

// hashFieldsText reads "key: value" pairs, one a line or separated by
// commas, inside an optional "hash_config { ... }" block, as the console
// shows them.
func hashFieldsText(name string, b []byte) (map[string]hashValue, error) {
	out := map[string]hashValue{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\xef\xbb\xbf"))
		if j := strings.Index(line, "{"); j >= 0 {
			if head := strings.TrimSpace(line[:j]); head != "" && head != "hash_config" {
				return nil, &ingest.LineError{File: name, Line: i + 1, Msg: fmt.Sprintf("block %q: the console's block is hash_config { ... }", head)}
			}
			line = line[j+1:]
		}
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "}"))
		for _, part := range strings.Split(line, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, v, ok := strings.Cut(part, ":")
			k = strings.TrimSpace(k)
			if !ok || !hashKeys[k] {
				return nil, &ingest.LineError{File: name, Line: i + 1, Field: k,
					Msg: "not a hash parameter: expected key: value with the console's keys algorithm, base64_signer_key, base64_salt_separator, rounds, mem_cost"}
			}
			if _, dup := out[k]; dup {
				return nil, &ingest.LineError{File: name, Line: i + 1, Field: k, Msg: "given twice"}
			}
			out[k] = hashValue{strings.Trim(strings.TrimSpace(v), `"'`), i + 1}
		}
	}
	return out, nil
}

// normB64 reads base64 as Firebase and its copies write it (standard or
// URL-safe, padded or not) and returns it standard and padded, the form of
// WorkOS's firebase-scrypt string.
func normB64(s string) (string, error) {
	b, err := passhash.DecodeBase64(strings.TrimSpace(s))
	if err != nil {
		return "", errors.New("not base64")
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// lineOf is the 1-based line of byte offset off in b (1 when off < 0).
func lineOf(b []byte, off int) int {
	if off < 0 {
		return 1
	}
	return bytes.Count(b[:min(off, len(b))], []byte("\n")) + 1
}

// jsonFileError places a JSON syntax or type error of a whole file.
func jsonFileError(name string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &ingest.LineError{File: name, Line: lineOf(b, int(se.Offset)), Msg: "not valid JSON: " + se.Error()}
	case errors.As(err, &te):
		return &ingest.LineError{File: name, Line: lineOf(b, int(te.Offset)), Field: te.Field, Msg: "expected a JSON object of hash parameters: " + te.Error()}
	}
	return fmt.Errorf("%s: %w", name, err)
}
