package ingest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
)

// FuzzNDJSONReader reads any input as NDJSON with a small limit (1 KiB
// lines). It must never panic and must end; each line is either decoded
// (and then is what encoding/json decodes of it) or an error naming the
// file and its line; lines only go up. Where every line is read, they are
// the input's non-blank lines, one value each.
func FuzzNDJSONReader(f *testing.F) {
	for _, s := range []string{
		"{\"id\":\"a\"}\n\n{\"id\":\"b\"}\r\n", "\xEF\xBB\xBF{}\n", "[1]\n", "{\"a\":\n", "{}\n\xff\n", "\"s\"\n1\nnull\n",
		"{\"a\":1}{\"b\":2}\n", "\xff\xfe{\x00}\x00",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte(gz(f, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n")))
	f.Add([]byte(gz(f, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n")[:20]))
	addFileSeeds(f, "testdata/bad/auth0-*/*", "testdata/fixtures/auth0/*.ndjson")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ingest.NewNDJSONReader("f.ndjson", bytes.NewReader(data), ingest.Limits{MaxFieldBytes: 64})
		if err != nil {
			mustName(t, err)
			return
		}
		var got []any
		last := 0
		for {
			var v any
			line, err := r.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				mustName(t, err)
				var le *ingest.LineError
				if errors.As(err, &le) && le.Line <= last {
					t.Fatalf("an error on line %d after line %d", le.Line, last)
				}
				return
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			if len(got) > len(data) {
				t.Fatalf("%d values from %d bytes: the reader does not end", len(got), len(data))
			}
			last = line
			got = append(got, v)
		}
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			return // compressed: the lines below are not the input's
		}
		var want []any
		for _, l := range bytes.Split(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) == 0 {
				continue
			}
			var v any
			if err := json.Unmarshal(l, &v); err != nil {
				t.Fatalf("line %q read although encoding/json says %v", l, err)
			}
			want = append(want, v)
		}
		if !sameValues(got, want) {
			t.Fatalf("\n got %v\nwant %v", got, want)
		}
	})
}

// FuzzJSONArrayReader reads any input as a JSON array (top-level, or
// under "users"), with a small limit and with one above the input's size.
// It must never panic and must end; each element is decoded or an error
// that names the file, the element's index (or -1 outside any element)
// and its byte offset; indexes go up by one and offsets only go up. Where
// it reads the whole array, the elements are what encoding/json reads of
// the document; where encoding/json reads a UTF-8 document with the array,
// the reader reads it too, with a limit above its size.
func FuzzJSONArrayReader(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a"},{"id":"b"}]`, `{"kind":"x","users":[1,"b",null,{"c":[2]}],"next":null}`, `{"users":[]}`, `[`, `{"users":{}}`,
		`{"people":[1]}`, `[1] [2]`, "\xEF\xBB\xBF [ 1 , 2 ] \n", `["\u00e9","\xff"]`, `{"users":[1],"users":[2]}`, `"users"`,
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte(gz(f, `{"users":[{"id":"a"}]}`)))
	addFileSeeds(f, "testdata/bad/firebase/*.json", "testdata/fixtures/firebase/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		small, _ := readArrayElements(t, data, 8)
		full, fullErr := readArrayElements(t, data, int64(len(data))+1)
		if len(small) > len(full) || !sameValues(small, full[:len(small)]) {
			t.Fatalf("with a small limit:\n got %v\nwant %v...", small, full)
		}
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			return
		}
		want, ok, comparable := encodingJSONArray(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
		switch {
		case !comparable:
		case fullErr == nil && !ok:
			t.Fatalf("read %v where encoding/json finds no users array", full)
		case fullErr == nil && !sameValues(full, want):
			t.Fatalf("\n got %v\nwant %v", full, want)
		case fullErr != nil && ok && utf8.Valid(data) && !bytes.Contains(data, []byte(`\ud`)) && !bytes.Contains(data, []byte(`\uD`)):
			t.Fatalf("encoding/json reads %v, the reader says %v", want, fullErr)
		}
	})
}

// readArrayElements reads every element of data under "users" (or a
// top-level array), checking indexes, offsets and errors as it goes.
func readArrayElements(t *testing.T, data []byte, maxField int64) ([]any, error) {
	a, err := ingest.NewJSONArrayReader("f.json", bytes.NewReader(data), "users", ingest.Limits{MaxFieldBytes: maxField})
	if err != nil {
		mustName(t, err)
		return nil, err
	}
	var got []any
	var last int64 = -1
	for {
		var v any
		i, err := a.Next(&v)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			mustName(t, err)
			var ee *ingest.ElementError
			if errors.As(err, &ee) && ee.Index >= 0 && ee.Index != len(got) {
				t.Fatalf("an error in element %d after %d elements", ee.Index, len(got))
			}
			return got, err
		}
		if i != len(got) {
			t.Fatalf("element %d after %d elements", i, len(got))
		}
		if off := a.Offset(); off <= last || off >= int64(len(data)) {
			t.Fatalf("element %d at byte %d, after byte %d, in %d bytes", i, off, last, len(data))
		} else {
			last = off
		}
		if len(got) > len(data) {
			t.Fatalf("%d elements from %d bytes: the reader does not end", len(got), len(data))
		}
		got = append(got, v)
	}
}

// encodingJSONArray is what encoding/json reads of the array: the
// document, when it is an array, or its "users" key's array (ok: there is
// one). A document that names "users" twice is not comparable:
// encoding/json keeps the last, the reader the first.
func encodingJSONArray(data []byte) (users []any, ok, comparable bool) {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false, true
	}
	switch d := doc.(type) {
	case []any:
		return d, true, true
	case map[string]any:
		if bytes.Count(data, []byte(`"users"`)) > 1 {
			return nil, false, false
		}
		users, ok := d["users"].([]any)
		return users, ok, true
	}
	return nil, false, true
}

// sameValues compares decoded values (an empty list and none are the
// same).
func sameValues(a, b []any) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

// mustName fails t unless err is bad input that names the file: a
// LineError or an ElementError, never a bare error of encoding/json or of
// gzip.
func mustName(t *testing.T, err error) {
	t.Helper()
	var le *ingest.LineError
	var ee *ingest.ElementError
	switch {
	case errors.As(err, &le) && le.File != "" && le.Line >= 1:
	case errors.As(err, &ee) && ee.File != "" && ee.Offset >= 0:
	default:
		t.Fatalf("%T %v: not an error naming the file and the place", err, err)
	}
}
