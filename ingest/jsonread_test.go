package ingest_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

type rec struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	N     int    `json:"n"`
}

func readNDJSON(t *testing.T, in string, lim ingest.Limits) ([]string, error) {
	t.Helper()
	r, err := ingest.NewNDJSONReader("users.ndjson", strings.NewReader(in), lim)
	if err != nil {
		return nil, err
	}
	var got []string
	for {
		var v rec
		line, err := r.Decode(&v)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, fmt.Sprintf("%d:%s:%d", line, v.ID, v.N))
	}
}

func TestNDJSONReader(t *testing.T) {
	const good = "\xEF\xBB\xBF{\"id\":\"a\",\"n\":1}\r\n\n  \n{\"id\":\"b\",\"n\":2}\n{\"id\":\"c\"}"
	for _, in := range []string{good, gz(t, good)} {
		got, err := readNDJSON(t, in, ingest.Limits{})
		if err != nil || strings.Join(got, " ") != "1:a:1 4:b:2 5:c:0" {
			t.Errorf("records = %v, %v", got, err)
		}
	}
	long := `{"id":"` + strings.Repeat("x", 20<<10) + `"}`
	for _, c := range []struct{ name, in, want string }{
		{"not JSON", "{\"id\":\"a\"}\n{\"id\": nope}\n", `users.ndjson:2: not JSON: invalid character 'o' in literal null (expecting 'u') (column 9)`},
		{"wrong type", "{\"id\":\"a\",\"n\":\"one\"}\n", `users.ndjson:1: field "n": is a JSON string, expected int`},
		{"pretty-printed document", "{\n  \"id\": \"a\"\n}\n", `users.ndjson:1: not JSON: unexpected end of JSON input (column 1) (is the file one JSON document rather than one value per line?)`},
		{"a JSON array", "[{\"id\":\"a\"}]\n", `users.ndjson:1: this is a JSON array, not one JSON value per line (NDJSON)`},
		{"invalid UTF-8", "{\"id\":\"a\"}\n{\"id\":\"\xff\"}\n", `users.ndjson:2: invalid UTF-8`},
		{"line over the limit", "{\"id\":\"a\"}\n" + long + "\n", `users.ndjson:2: the line is longer than 16 KiB, 16 fields at the limit for one field; if it is real, raise the limit with --max-field-bytes`},
		{"cut gzip", gz(t, good)[:30], `users.ndjson:1: gzip: unexpected EOF (is the file cut short or damaged?)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readNDJSON(t, c.in, ingest.Limits{MaxFieldBytes: 1 << 10})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant %s", err, c.want)
			}
		})
	}
	// The same line under a raised limit is read.
	if got, err := readNDJSON(t, long+"\n", ingest.Limits{MaxFieldBytes: 2 << 10}); err != nil || len(got) != 1 {
		t.Fatalf("long line under a raised limit: %v, %v", got, err)
	}
}

func readArray(t *testing.T, in, key string, lim ingest.Limits) ([]string, error) {
	t.Helper()
	r, err := ingest.NewJSONArrayReader("export.json", strings.NewReader(in), key, lim)
	if err != nil {
		return nil, err
	}
	var got []string
	for {
		var v rec
		i, err := r.Next(&v)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, fmt.Sprintf("%d@%d:%s", i, r.Offset(), v.ID))
	}
}

func TestJSONArrayReader(t *testing.T) {
	var long string
	for _, c := range []struct{ name, in, want string }{
		{"top-level array", `[{"id":"a"},{"id":"b"}]`, "0@1:a 1@12:b"},
		{"under a key", `{"users":[{"id":"a"},{"id":"b"}]}`, "0@10:a 1@21:b"},
		{"other keys around it", `{"kind":"x","meta":{"a":[1,{"b":2}]},"users":[{"id":"a"}],"next":null}`, "0@46:a"},
		{"empty", `{"users":[]}`, ""},
		{"gzip", gz(t, `{"users":[{"id":"a"}]}`), "0@10:a"},
		{"byte-order mark and spaces", "\xEF\xBB\xBF\n{ \"users\" : [ {\"id\":\"a\"} ] }\n", "0@18:a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readArray(t, c.in, "users", ingest.Limits{})
			if err != nil || strings.Join(got, " ") != c.want {
				t.Fatalf("got %v, %v; want %s", got, err, c.want)
			}
		})
	}
	long = `{"id":"` + strings.Repeat("x", 50<<10) + `"}`
	for _, c := range []struct{ name, in, want string }{
		{"cut short in an element", `{"users":[{"id":"a"},{"id":"b`, `export.json:1: users[1] (byte 21): the element is cut short: is the file cut short?`},
		{"cut short after an element", `{"users":[{"id":"a"},`, `export.json:1: users[1] (byte 21): the element is cut short: is the file cut short?`},
		{"cut short after the array", `{"users":[{"id":"a"}]`, `export.json:1: byte 21: the JSON document ends too early`},
		{"bad element", `{"users":[{"id":"a"},{"id":x}]}`, `export.json:1: users[1] (byte 21): not JSON: invalid character 'x' looking for beginning of value`},
		{"wrong type", `[{"id":"a"},{"id":7}]`, `export.json:1: users[1] (byte 12): field "id": is a JSON number, expected string`},
		{"an element of the wrong kind", `[{"id":"a"},"b"]`, `export.json:1: users[1] (byte 12): is a JSON string, expected an object`},
		{"UTF-16", "\xff\xfe[\x00]\x00", `export.json:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); mig reads UTF-8`},
		{"no such key", `{"people":[{"id":"a"}],"n":1}`, `export.json:1: byte 28: the object has no "users" array (its keys: "people,n")`},
		{"not an array", `{"users":{"id":"a"}}`, `export.json:1: byte 10: field "users": expected an array, found {`},
		{"a string", `"users"`, `export.json:1: byte 7: expected a JSON array or an object with a "users" array, found the string "users"`},
		{"trailing data", `[{"id":"a"}] [1]`, `export.json:1: byte 14: unexpected [ after the end of the JSON document`},
		{"invalid UTF-8", "[{\"id\":\"a\"},{\"id\":\"\xc3\"}]", `export.json:1: users[1] (byte 19): invalid UTF-8 (the file must be UTF-8)`},
		{"line of the element", "{\"users\": [\n{\"id\":\"a\"},\n  {\"id\":7}\n]}\n", `export.json:3: users[1] (byte 26): field "id": is a JSON number, expected string`},
		{"element over the limit", `[{"id":"a"},` + long + `]`, `export.json:1: users[1] (byte 12): the element is longer than 16 KiB, 16 fields at the limit for one field; if it is real, raise the limit with --max-field-bytes`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readArray(t, c.in, "users", ingest.Limits{MaxFieldBytes: 1 << 10})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

// A large export is read in bounded memory: the reader holds one element,
// whatever the number of elements.
func TestJSONArrayReaderStreams(t *testing.T) {
	pr, pw := io.Pipe()
	const n = 200000
	go func() {
		pw.Write([]byte("{\"users\":[\n"))
		for i := range n {
			if i > 0 {
				pw.Write([]byte(",\n"))
			}
			fmt.Fprintf(pw, `{"id":"u%d","email":"u%d@example.com","n":%d}`, i, i, i)
		}
		pw.Write([]byte(",\n{\"id\":1}]}"))
		pw.Close()
	}()
	r, err := ingest.NewJSONArrayReader("big.json", pr, "users", ingest.Limits{MaxFieldBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for {
		var v rec
		_, err := r.Next(&v)
		if err != nil {
			// The last element is bad: the error says its line, past a
			// few thousand reads.
			if want := fmt.Sprintf("big.json:%d: users[%d]", n+2, n); !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want %s", err, want)
			}
			break
		}
		sum += v.N
	}
	if sum != n*(n-1)/2 {
		t.Fatalf("sum of n = %d", sum)
	}
}

// A read resumed after a given line goes on with the next one, with the
// same line numbers; a file shorter than that is refused.
func TestNDJSONSkipTo(t *testing.T) {
	in := "{\"id\":\"a\"}\n\n{\"id\":\"" + strings.Repeat("b", 300<<10) + "\"}\n{\"id\":\"c\"}\n"
	r, err := ingest.NewNDJSONReader("u.ndjson", strings.NewReader(in), ingest.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SkipTo(3); err != nil {
		t.Fatal(err)
	}
	var v rec
	if line, err := r.Decode(&v); err != nil || line != 4 || v.ID != "c" {
		t.Fatalf("after SkipTo(3): line %d, %+v, %v", line, v, err)
	}
	r, _ = ingest.NewNDJSONReader("u.ndjson", strings.NewReader(in), ingest.Limits{})
	if err := r.SkipTo(9); err == nil || !strings.Contains(err.Error(), "u.ndjson:4: the file ends at line 4, before line 9") {
		t.Fatalf("SkipTo past the end: %v", err)
	}
}
