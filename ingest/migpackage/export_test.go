package migpackage

import (
	"hash/maphash"
	"testing"
)

// CollideUserKeys gives every user the same 64-bit key until t ends, so
// that preStageUsers takes each user after the first for a repeat and
// stageUsers must find out from the database which lines staged a user.
func CollideUserKeys(t testing.TB) {
	old := userHash
	userHash = func(maphash.Seed, string) uint64 { return 0 }
	t.Cleanup(func() { userHash = old })
}
