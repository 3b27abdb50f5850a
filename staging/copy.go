package staging

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Copy writes a consistent copy of the database to path and opens it. The
// file must not exist; it is created 0600 first, since the copy holds what
// the original holds (password hashes, TOTP secrets). What is done to the
// copy leaves db as it was: mig import --dry-run runs the import on one.
// The caller closes the copy and removes its file.
func (db *DB) Copy(ctx context.Context, path string) (*DB, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", db.Path, err)
	}
	f.Close()
	// VACUUM INTO writes into an empty file, and reads one snapshot of db.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
		return nil, fmt.Errorf("copy %s to %s: %w", db.Path, path, err)
	}
	cp, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	return cp, nil
}
