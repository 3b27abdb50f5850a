package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// This file holds the digests of the files a run reads, with which a run
// over the same files with the same options is recognised and skipped.

// lastRunWithOptions returns the source's last run when it had the same
// options, else 0.
func lastRunWithOptions(ctx context.Context, db *staging.DB, src Source, opts string) (int64, error) {
	var last struct {
		ID      int64  `db:"id"`
		Options string `db:"options"`
	}
	err := db.GetContext(ctx, &last, lastRunSQL, src.Provider, src.Tenant)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && last.Options != opts) {
		return 0, nil
	}
	return last.ID, err
}

// sameFiles reports whether run read files with the same roles and digests.
func sameFiles(ctx context.Context, db *staging.DB, run int64, files []*File) (bool, error) {
	return sameRoles(ctx, db, run, files, "sha256", func(f *File) string { return f.hash })
}

// sameSizes reports whether the files could be those the run read: as many,
// in the same roles, of the same sizes. A file that cannot be looked at
// says yes, and the digests decide (reading it then gives the error).
func sameSizes(ctx context.Context, db *staging.DB, run int64, files []*File) (bool, error) {
	return sameRoles(ctx, db, run, files, "size", func(f *File) string {
		if f.spool != "" {
			return fmt.Sprint(f.size)
		}
		fi, err := os.Stat(f.Path)
		if err != nil {
			return "?"
		}
		return fmt.Sprint(fi.Size())
	})
}

// sameRoles reports whether run read files with the same roles and the
// same value of col (a column of ingest_files) as value gives for files. A
// value "?" (a file that could not be looked at) says yes.
func sameRoles(ctx context.Context, db *staging.DB, run int64, files []*File, col string, value func(*File) string) (bool, error) {
	var prev []string
	if err := db.SelectContext(ctx, &prev, `SELECT role || ':' || `+col+` FROM ingest_files WHERE ingest_run_id = ? ORDER BY 1`, run); err != nil {
		return false, err
	}
	var cur []string
	for _, f := range files {
		v := value(f)
		if v == "?" {
			return true, nil
		}
		cur = append(cur, f.Role+":"+v)
	}
	sort.Strings(cur)
	return strings.Join(prev, "\n") == strings.Join(cur, "\n"), nil
}

// digestFiles takes every file's SHA-256 and size. Inputs copied by
// spoolInputs were digested on the way.
func digestFiles(files []*File) error {
	for _, f := range files {
		if f.spool != "" {
			continue
		}
		h, n, err := digest(f.Path)
		if err != nil {
			return err
		}
		f.hash, f.size = h, n
	}
	return nil
}

func digest(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// The statements of this file, kept as named files in sqlqueries.
var (
	lastRunSQL = sqlqueries.MustLoad("ingest/last_run.sql").SQL
)
