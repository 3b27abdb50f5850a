package migpackage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// hash128 hashes strings to 128 bits with two seeds: sets of them stand in
// for sets of a million strings, and a false match is as unlikely as a
// hardware fault.
type hash128 [2]maphash.Seed

func newHash128() hash128 { return hash128{maphash.MakeSeed(), maphash.MakeSeed()} }

// sum hashes the fields, each ended by a NUL. They are joined in a buffer
// on the stack and hashed in one call per seed, which is several times
// faster than writing them to a maphash.Hash one by one.
func (s hash128) sum(fields ...string) [2]uint64 {
	var buf [256]byte
	b := buf[:0]
	for _, f := range fields {
		b = append(append(b, f...), 0)
	}
	return [2]uint64{maphash.Bytes(s[0], b), maphash.Bytes(s[1], b)}
}

// hashSet is a set of strings (or tuples of them) by 128-bit hash, kept as
// a sorted slice: 16 bytes an entry, where a Go map of the same keys took
// about 60 and made a million-user package's ingest peak at 330 MB. It is
// filled with add, then sealed once before the first has. The zero hashSet
// is empty.
type hashSet struct {
	keys [][2]uint64
	hash hash128
	// Keys are spread evenly, so the top bits of their first word cut the
	// sorted list into buckets of about four: bucket b is
	// keys[start[b]:start[b+1]], and a lookup reads one bucket instead of
	// binary-searching a million keys (twenty cache misses). seal builds it.
	start []uint32
	shift uint
}

// newHashSet returns a set with room for the rows of the CSV file at path,
// so that it never grows by copying: growing by append would hold the old
// and the new array at once and leave the garbage collector a heap half
// as large again.
func newHashSet(path string) (hashSet, error) {
	n, err := countLines(path)
	return hashSet{keys: make([][2]uint64, 0, n), hash: newHash128()}, err
}

// countLines returns the number of line ends in the file: at least the
// number of its CSV rows.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	n := 0
	for {
		m, err := f.Read(buf)
		n += bytes.Count(buf[:m], []byte{'\n'})
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// add adds the tuple of fields. A tuple equal to the one added just before
// takes no room: packages list a user's rows together.
func (s *hashSet) add(fields ...string) {
	k := s.hash.sum(fields...)
	if n := len(s.keys); n > 0 && s.keys[n-1] == k {
		return
	}
	s.keys = append(s.keys, k)
}

// seal sorts the set for has, drops repeated keys and builds the buckets.
func (s *hashSet) seal() {
	slices.SortFunc(s.keys, compareKeys)
	s.keys = slices.Compact(s.keys)
	bits := uint(1)
	for 1<<bits < len(s.keys)/4 {
		bits++
	}
	s.shift = 64 - bits
	s.start = make([]uint32, 1<<bits+1)
	b := 0
	for i, k := range s.keys {
		for ; b <= int(k[0]>>s.shift); b++ {
			s.start[b] = uint32(i)
		}
	}
	for ; b < len(s.start); b++ {
		s.start[b] = uint32(len(s.keys))
	}
}

func (s hashSet) has(fields ...string) bool {
	if len(s.keys) == 0 {
		return false
	}
	k := s.hash.sum(fields...)
	b := k[0] >> s.shift
	return slices.Contains(s.keys[s.start[b]:s.start[b+1]], k)
}

func compareKeys(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// idSet is a set of user source ids. The zero idSet is empty.
type idSet struct{ hashSet }

// membershipSet holds, for each row of organization_memberships.csv, the
// user it names (by external_id, or by email when it has none, as the row
// is resolved), its organization columns and its role slugs. A false match
// would lose a users.csv membership. The zero membershipSet is empty.
type membershipSet struct{ hashSet }

func membershipKey(user, orgID, orgExt, orgName, slugs string) [5]string {
	if slugs != "" {
		slugs = strings.Join(ingest.SplitMulti(slugs), ",")
	}
	return [5]string{user, orgID, orgExt, orgName, slugs}
}

// has reports whether a row names the user of a users row (by its
// external_id or its email) with the same organization and roles.
func (m membershipSet) has(email, extID, orgID, orgExt, orgName, slugs string) bool {
	if len(m.keys) == 0 || orgID == "" && orgExt == "" && orgName == "" {
		return false
	}
	for _, user := range []string{"ext:" + extID, "email:" + ingest.NormalizeEmail(email)} {
		if user == "ext:" {
			continue
		}
		if k := membershipKey(user, orgID, orgExt, orgName, slugs); m.hashSet.has(k[:]...) {
			return true
		}
	}
	return false
}

// readMembershipSet reads organization_memberships.csv for stageUsers.
func readMembershipSet(ctx context.Context, run *ingest.Run, path string) (membershipSet, error) {
	set, err := newHashSet(path)
	if err != nil {
		return membershipSet{}, err
	}
	m := membershipSet{set}
	_, err = readRows(ctx, run, path, nil, func(get func(string) string, line int) error {
		user := "ext:" + get("external_id")
		if user == "ext:" {
			user = "email:" + ingest.NormalizeEmail(get("email"))
		}
		k := membershipKey(user, get("org_id"), get("org_external_id"), get("org_name"), get("role_slugs"))
		m.add(k[:]...)
		return nil
	})
	m.seal()
	return m, err
}
