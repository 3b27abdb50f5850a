//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package emit

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// canLock says lockDir can tell a live emit's directory from a stale one.
const canLock = true

// lockDir takes an exclusive flock on the directory path without waiting.
// locked is false when another open file holds it: in this process or
// another, flock locks belong to the open file, not to the process.
func lockDir(path string) (unlock func(), locked bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
