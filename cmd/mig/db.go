package main

import (
	"errors"

	"github.com/mig-tools/mig/staging"
)

// dbHint adds the next step to an error opening the staging database: the
// path holds none (ingest first, or fix --db), or holds something else.
func dbHint(err error) error {
	switch {
	case errors.Is(err, staging.ErrNoDatabase):
		return withHint(err, "mig ingest clerk FILE (or pass --db PATH)")
	case errors.Is(err, staging.ErrNotStaging):
		return withHint(err, "pass --db PATH with the path of a mig staging database, or a new path for mig ingest to create one")
	}
	return err
}
