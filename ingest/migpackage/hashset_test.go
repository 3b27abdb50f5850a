package migpackage

import (
	"strconv"
	"testing"
)

// TestHashSetFindsWhatWasAdded: every tuple added is found after seal, by
// way of its bucket, whatever the size of the set, and others are not.
func TestHashSetFindsWhatWasAdded(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 100, 10000} {
		s := hashSet{hash: newHash128()}
		for i := range n {
			s.add("user"+strconv.Itoa(i), "org")
			s.add("user"+strconv.Itoa(i), "org") // a repeat takes no room
		}
		s.seal()
		if len(s.keys) != n {
			t.Errorf("n=%d: %d keys", n, len(s.keys))
		}
		for i := range n {
			if !s.has("user"+strconv.Itoa(i), "org") {
				t.Fatalf("n=%d: user%d not found", n, i)
			}
			if s.has("user"+strconv.Itoa(i), "other") || s.has("nobody"+strconv.Itoa(i), "org") {
				t.Fatalf("n=%d: a tuple not added is found", n)
			}
		}
	}
	if (hashSet{}).has("x") {
		t.Error("the zero set has a key")
	}
}
