package ingest

import (
	"encoding/json"
	"testing"
)

// awkward are strings whose JSON encoding needs escaping of some kind.
var awkward = []string{"", "plain", "Müller", "a\"b", `back\slash`, "<script>&amp;", "tab\tnew\nline\r",
	"\x00\x01\x1f\x7f", "\u2028\u2029", "bad \xff utf8", "emoji 🙂", "sp ace", "\b\f"}

func TestJSONEncodingMatchesEncodingJSON(t *testing.T) {
	m := map[string]string{}
	for i, s := range awkward {
		m[s] = awkward[len(awkward)-1-i]
	}
	for _, v := range []map[string]string{nil, {}, {"b": "2", "a": "1"}, m} {
		want, _ := json.Marshal(nonNil(v))
		if got := appendJSONMap(nil, v); string(got) != string(want) {
			t.Errorf("map %q:\n got %s\nwant %s", v, got, want)
		}
		want, _ = json.Marshal(v)
		if got, _ := appendJSONAny(nil, v); string(got) != string(want) {
			t.Errorf("raw %q:\n got %s\nwant %s", v, got, want)
		}
	}
	var emails []Email
	var phones []Phone
	for i, s := range awkward {
		emails = append(emails, Email{Email: s, Verified: i%2 == 0, Primary: i%3 == 0})
		phones = append(phones, Phone{Phone: s, Verified: i%3 == 0, Primary: i%2 == 0})
	}
	for n := range []int{0, 1, len(awkward)} {
		u := &User{Emails: emails[:n], Phones: phones[:n], Raw: []string{"not", "a map"}}
		if err := u.Encode(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			got string
			v   any
		}{{u.enc.emails, nonNilSlice(u.Emails)}, {u.enc.phones, nonNilSlice(u.Phones)}, {u.enc.raw, u.Raw}, {u.enc.meta, map[string]string{}}} {
			want, _ := json.Marshal(c.v)
			if c.got != string(want) {
				t.Errorf("got %s\nwant %s", c.got, want)
			}
		}
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// A raw JSON value is written as encoding/json writes it, copied or not.
func FuzzJSONRaw(f *testing.F) {
	for _, s := range []string{`{"a":"b c","d":[1,2,{"e":null}]}`, `{ "a": 1 }`, `"x<y"`, `{"k":"\u2028 \\" }`, "[\"\u2028\"]",
		`{"a":"\"} "}`, `true`, `{"a":"&"}`, "{\"a\":\n1}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		want, err := json.Marshal(json.RawMessage(s))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := appendJSONAny(nil, json.RawMessage(s)); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
