//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package emit

// canLock is false where flock(2) is missing: without a lock a live emit's
// temporary directory cannot be told from a stale one, so none is removed.
const canLock = false

func lockDir(string) (func(), bool, error) { return func() {}, true, nil }
