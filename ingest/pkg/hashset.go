package pkg

import (
	"cmp"
	"context"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// hash128 hashes strings to 128 bits with two seeds: sets of them stand in
// for sets of a million strings, and a false match is as unlikely as a
// hardware fault.
type hash128 [2]maphash.Seed

func newHash128() hash128 { return hash128{maphash.MakeSeed(), maphash.MakeSeed()} }

// sum hashes the fields, each ended by a NUL.
func (s hash128) sum(fields ...string) [2]uint64 {
	var k [2]uint64
	for i, seed := range s {
		var h maphash.Hash
		h.SetSeed(seed)
		for _, f := range fields {
			h.WriteString(f)
			h.WriteByte(0)
		}
		k[i] = h.Sum64()
	}
	return k
}

// hashSet is a set of strings (or tuples of them) by 128-bit hash, kept as
// a sorted slice: 16 bytes an entry, where a Go map of the same keys took
// about 60 and made a million-user package's ingest peak at 330 MB. It is
// filled with add, then sealed once before the first has. The zero hashSet
// is empty.
type hashSet struct {
	keys [][2]uint64
	hash hash128
	// full are the blocks add filled; seal copies them into keys. Growing
	// keys by append instead would hold the old and the new array at once
	// and leave the garbage collector a heap half as large again.
	full [][][2]uint64
	n    int
}

// hashBlock is the number of keys in one block of a hashSet being filled.
const hashBlock = 1 << 15

func newHashSet() hashSet { return hashSet{hash: newHash128()} }

// add adds the tuple of fields. A tuple equal to the one added just before
// takes no room: packages list a user's rows together.
func (s *hashSet) add(fields ...string) {
	k := s.hash.sum(fields...)
	if n := len(s.keys); n > 0 && s.keys[n-1] == k {
		return
	}
	if len(s.keys) == hashBlock {
		s.full = append(s.full, s.keys)
		s.keys = nil
	}
	if s.keys == nil {
		s.keys = make([][2]uint64, 0, hashBlock)
	}
	s.keys = append(s.keys, k)
	s.n++
}

// seal gathers the blocks into one sorted slice for has and drops repeated
// keys.
func (s *hashSet) seal() {
	keys := make([][2]uint64, 0, s.n)
	for i, b := range s.full {
		keys = append(keys, b...)
		s.full[i] = nil
	}
	keys = append(keys, s.keys...)
	slices.SortFunc(keys, compareKeys)
	s.keys, s.full = slices.Clip(slices.Compact(keys)), nil
}

func (s hashSet) has(fields ...string) bool {
	if len(s.keys) == 0 {
		return false
	}
	_, ok := slices.BinarySearchFunc(s.keys, s.hash.sum(fields...), compareKeys)
	return ok
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

func membershipKey(user, orgID, orgExt, orgName, slugs string) []string {
	return []string{user, orgID, orgExt, orgName, strings.Join(ingest.SplitMulti(slugs), ",")}
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
		if m.hashSet.has(membershipKey(user, orgID, orgExt, orgName, slugs)...) {
			return true
		}
	}
	return false
}

// readMembershipSet reads organization_memberships.csv for stageUsers.
func readMembershipSet(ctx context.Context, path string) (membershipSet, error) {
	m := membershipSet{newHashSet()}
	_, err := readRows(ctx, path, nil, func(get func(string) string, line int) error {
		user := "ext:" + get("external_id")
		if user == "ext:" {
			user = "email:" + ingest.NormalizeEmail(get("email"))
		}
		m.add(membershipKey(user, get("org_id"), get("org_external_id"), get("org_name"), get("role_slugs"))...)
		return nil
	})
	m.seal()
	return m, err
}
