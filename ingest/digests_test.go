package ingest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The matcher, over an old and a new sequence of records: every old record
// is either matched by exactly one new record with the same digest or
// handed back as gone, and a new record matches only its own old digest.
func TestDigestMatcherAccountsForEveryRecord(t *testing.T) {
	d := newDigester("test", []string{"id"})
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name                     string
		n                        int
		change, add, remove, mov float64
		block                    int // a run of removed records
	}{
		{"same", 5000, 0, 0, 0, 0, 0},
		{"1% changed", 5000, 0.01, 0.005, 0.002, 0, 0},
		{"moved", 5000, 0, 0, 0, 0.01, 0},
		{"a removed run", 8000, 0.01, 0.005, 0, 0, 3000},
		{"added runs", 8000, 0, 0.2, 0, 0, 0},
		{"a removed run longer than the window", digestWindow + 5000, 0, 0, 0, 0, digestWindow + 10},
		{"all changed", 3000, 1, 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var old []digestEntry
			for i := range tc.n {
				old = append(old, digestEntry{d: d.sum([]string{fmt.Sprint(i), "v0"}), ref: fmt.Sprint(i)})
			}
			type rec struct {
				d   recordDigest
				ref string // the old record it is unchanged from, or ""
			}
			var recs []rec
			for i, e := range old {
				switch r := rnd.Float64(); {
				case i >= 100 && i < 100+tc.block:
				case r < tc.remove:
				case r < tc.remove+tc.change:
					recs = append(recs, rec{d: d.sum([]string{fmt.Sprint(i), "v1"})})
				default:
					recs = append(recs, rec{d: e.d, ref: e.ref})
				}
				if rnd.Float64() < tc.add {
					recs = append(recs, rec{d: d.sum([]string{fmt.Sprint("new", i), "v0"})})
				}
			}
			for range int(tc.mov * float64(len(recs))) {
				i, j := rnd.IntN(len(recs)), rnd.IntN(len(recs))
				recs[i], recs[j] = recs[j], recs[i]
			}
			next := 0
			m := newDigestMatcher(func() (digestEntry, bool, error) {
				if next == len(old) {
					return digestEntry{}, false, nil
				}
				next++
				return old[next-1], true, nil
			})
			seen := map[string]string{} // old ref -> "matched" or "gone"
			note := func(ref, how string) {
				if seen[ref] != "" {
					t.Fatalf("old record %s is %s and %s", ref, seen[ref], how)
				}
				seen[ref] = how
			}
			matched := 0
			for _, r := range recs {
				ref, gone, ok, err := m.match(r.d)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range gone {
					note(g, "gone")
				}
				if !ok {
					continue
				}
				if ref != r.ref {
					t.Fatalf("a record matched old record %q, but it is unchanged from %q", ref, r.ref)
				}
				note(ref, "matched")
				matched++
			}
			if err := m.rest(func(ref string) error { note(ref, "gone"); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(seen) != len(old) {
				t.Fatalf("%d old records accounted for, want %d", len(seen), len(old))
			}
			unchanged := 0
			for _, r := range recs {
				if r.ref != "" {
					unchanged++
				}
			}
			t.Logf("%d records, %d unchanged, %d matched", len(recs), unchanged, matched)
			// A swap of two records costs at most those two a decode, and
			// a removed run at most digestStreak records after it.
			want := unchanged - 2*int(tc.mov*float64(len(recs)))
			if tc.block > 0 {
				want -= digestStreak
			}
			if tc.block < digestWindow && matched < want {
				t.Errorf("matched %d of the %d unchanged records, want at least %d", matched, unchanged, want)
			}
		})
	}
}

func TestIDBits(t *testing.T) {
	var b idBits
	ids := []int64{0, 1, 63, 64, 1000, 1 << 20}
	for _, id := range ids {
		b.set(id)
	}
	for id := range int64(1<<20 + 2) {
		if b.has(id) != slices.Contains(ids, id) {
			t.Fatalf("has(%d) = %v", id, b.has(id))
		}
	}
}
