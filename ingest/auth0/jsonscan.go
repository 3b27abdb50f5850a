package auth0

import (
	"bytes"
	"errors"
	"sort"
)

// member is one key of a JSON object and its value, still JSON text.
type member struct {
	key string
	val []byte
}

// members lists the keys of the JSON object obj, sorted, the last of a
// repeated key winning (as encoding/json decodes a map). obj has been
// through encoding/json already, so it is valid JSON; this walks it
// without building a map, which was a fifth of the decoding time of a
// large export.
func members(obj []byte) ([]member, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) == 0 || string(obj) == "null" {
		return nil, nil
	}
	if obj[0] != '{' {
		return nil, errors.New("is not a JSON object")
	}
	var out []member
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] != '}' {
		end := skipString(obj, i)
		key := jsonText(obj[i:end])
		i = skipSpace(obj, end)
		i = skipSpace(obj, i+1) // the colon
		vend := skipValue(obj, i)
		out = append(out, member{key: key, val: obj[i:vend]})
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].key < out[b].key })
	dedup := out[:0]
	for j, m := range out {
		if j+1 < len(out) && out[j+1].key == m.key {
			continue
		}
		dedup = append(dedup, m)
	}
	return dedup, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	return i
}
