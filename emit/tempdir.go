package emit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// An emit writes its package into a temporary directory next to the output,
// named ".OUT.tmp-NNN" by os.MkdirTemp, and renames it into place at the
// end; replacing a package moves the old one aside as ".OUT.tmp-NNN.old"
// for a moment. An emit that is killed leaves these behind, with password
// hashes and TOTP secrets in them, so the next emit to the same output
// removes them.
//
// Which ones are stale is decided by a lock, not by a process id: the emit
// that writes a directory holds an exclusive flock(2) on the directory
// itself from just after creating it until it returns, and the kernel lets
// go of the lock when the process ends, however it ends (SIGKILL included).
// A directory nobody holds a lock on belongs to no running emit. A pid
// written into the name would also work on one machine, but a pid is reused
// (a stale directory would then look alive and stay), and it means nothing
// to an emit in another pid namespace or on another host sharing the
// directory, where it could make a live directory look dead.

// tempPrefix is the name of the output's temporary directories up to the
// random part os.MkdirTemp adds.
func tempPrefix(dir string) string { return "." + filepath.Base(filepath.Clean(dir)) + ".tmp-" }

// makeTempDir creates and locks a new temporary directory in parent. A
// cleanup by another emit may take the directory for stale in the moment
// between its creation and the lock and remove it; the directory is then
// made again.
func makeTempDir(parent, prefix string) (string, func(), error) {
	for range 10 {
		tmp, err := os.MkdirTemp(parent, prefix)
		if err != nil {
			return "", nil, fmt.Errorf("emit: %w", err)
		}
		unlock, locked, err := lockDir(tmp)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			os.RemoveAll(tmp)
			return "", nil, fmt.Errorf("emit: lock %s: %w", tmp, err)
		}
		if !locked {
			continue // another emit's cleanup holds it and is removing it
		}
		if _, err := os.Stat(tmp); err == nil {
			return tmp, unlock, nil
		}
		unlock() // removed before the lock was taken
	}
	return "", nil, fmt.Errorf("emit: could not create a temporary directory in %s that stays", parent)
}

// removeStale removes the temporary directories that interrupted emits to
// dir left, and calls removed with each. One that an emit still running
// holds a lock on is left alone.
func removeStale(dir string, removed func(string)) error {
	if !canLock {
		return nil
	}
	parent := filepath.Dir(filepath.Clean(dir))
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emit: look for stale temporary directories: %w", err)
	}
	stale := regexp.MustCompile(`^` + regexp.QuoteMeta(tempPrefix(dir)) + `[0-9]+(\.old)?$`)
	for _, e := range entries {
		if !e.IsDir() || !stale.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		// An old package moved aside belongs to the emit writing the
		// directory it is named after.
		owner := strings.TrimSuffix(p, ".old")
		unlock, locked, err := lockDir(owner)
		switch {
		case errors.Is(err, fs.ErrNotExist) && owner != p:
			unlock, locked = func() {}, true // that emit is over
		case errors.Is(err, fs.ErrNotExist):
			continue // removed meanwhile
		case err != nil:
			return fmt.Errorf("emit: lock %s: %w", owner, err)
		}
		if !locked {
			continue // an emit running now is writing it
		}
		err = os.RemoveAll(p)
		unlock()
		if err != nil {
			return fmt.Errorf("emit: remove stale temporary directory %s: %w", p, err)
		}
		if removed != nil {
			removed(p)
		}
	}
	return nil
}
