package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFitMetadata fits any list of entries (the input's lines, each
// KEY=VALUE) to WorkOS's metadata limits and encodes the result as a
// user's metadata column is encoded. The metadata must respect the limits
// (at most 50 keys, keys of at most 40 characters, values of at most 600);
// every entry with a value must be kept whole under its key, or named by
// a MetadataProblem: none is dropped in silence. The encoding must be
// valid JSON, encoding/json's bytes, and decode back to the same map.
//
// Inputs are UTF-8, as every reader of the kit makes them (it refuses
// invalid UTF-8, and encoding/json replaces it): two keys that differ only
// in invalid bytes would both be written as U+FFFD.
func FuzzFitMetadata(f *testing.F) {
	for _, s := range []string{
		"a=1\nb=2\na=3", "=x\nk=", "k=" + strings.Repeat("v", 601), strings.Repeat("k", 41) + "=v",
		strings.Repeat("é", 40) + "=" + strings.Repeat("é", 600), "a=<&>\nb=\u2028\nc=\"\\", "x=1\n" + strings.Repeat("k=v\n", 3),
	} {
		f.Add(s)
	}
	var many strings.Builder
	for i := range 60 {
		many.WriteString(strings.Repeat("k", i%45) + "=v\n")
	}
	f.Add(many.String())
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		var entries []MetadataEntry
		for _, line := range strings.Split(s, "\n") {
			k, v, _ := strings.Cut(line, "=")
			entries = append(entries, MetadataEntry{Key: k, Value: v})
		}
		m, problems := FitMetadata(entries)
		if len(m) > MaxMetadataKeys {
			t.Fatalf("%d keys, over %d", len(m), MaxMetadataKeys)
		}
		for k, v := range m {
			if utf8.RuneCountInString(k) > MaxMetadataKeyChars || utf8.RuneCountInString(v) > MaxMetadataValueChars || v == "" {
				t.Fatalf("entry %q=%q over the limits (or empty)", k, v)
			}
		}
		// Each entry with a value is kept (the first of its key) or named
		// by a problem, in order.
		kept := map[string]bool{}
		p := 0
		for _, e := range entries {
			if e.Value == "" {
				continue
			}
			if v, ok := m[e.Key]; ok && v == e.Value && !kept[e.Key] {
				kept[e.Key] = true
				continue
			}
			if p >= len(problems) || problems[p].Key != e.Key || problems[p].Code == "" || problems[p].Message == "" {
				t.Fatalf("entry %q=%q is neither kept nor named by a problem (problems: %v)", e.Key, e.Value, problems)
			}
			p++
		}
		if p != len(problems) || len(kept) != len(m) {
			t.Fatalf("%d problems for %d entries left out; %d keys kept of %d", len(problems), p, len(kept), len(m))
		}
		enc := appendJSONMap(nil, m)
		want, _ := json.Marshal(m)
		if string(enc) != string(want) {
			t.Fatalf("encoded %s\nencoding/json %s", enc, want)
		}
		var back map[string]string
		if err := json.Unmarshal(enc, &back); err != nil || len(back) != len(m) {
			t.Fatalf("%s does not decode back: %v", enc, err)
		}
		for k, v := range m {
			if back[k] != v {
				t.Fatalf("%q=%q decodes back as %q", k, v, back[k])
			}
		}
	})
}
