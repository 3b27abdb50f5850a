package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/mig-tools/mig/sqlqueries"
)

// This file holds what a re-ingest of a source staged before adds to a
// run: the upserts that tell new, changed and unchanged users apart, and
// the users the export no longer has.

// touchUserSQL records that a user is in this run's export unchanged. It
// writes no indexed column, so a re-ingest of ten million users where a few
// changed costs a lookup per user instead of rewriting every index entry.
var touchUserSQL = sqlqueries.MustLoad("ingest/touch_user.sql").SQL

// upsertUserSQL inserts a user or, when the source already staged it,
// updates it in place. The WHERE on the update refuses a second row with the
// same source id in one run: no row changes and AddUser reports it. (RETURNING
// would say more, but through the driver it made each row three times
// slower; Commit counts new, changed and unchanged users in SQL instead.)
var upsertUserSQL = sqlqueries.MustLoad("ingest/upsert_user.sql").SQL

// prepareUpserts prepares the statements that need the users indexes: at
// the start of a run that keeps them, or when a first run restores them.
func (r *Run) prepareUpserts(ctx context.Context) error {
	var err error
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&r.upsertUser, upsertUserSQL},
		{&r.touchUser, touchUserSQL},
		{&r.touchTOTP, touchTOTPSQL},
	} {
		if *p.dst, err = r.tx.PrepareContext(ctx, p.q); err != nil {
			return err
		}
	}
	return nil
}

// commitDelta ends a run over a source staged before: users the export no
// longer has are marked missing, and the counts say what changed. A run
// that would mark more than half of the users staged before missing stops
// with a MissingError, unless the settings accept it.
func (r *Run) commitDelta(ctx context.Context) error {
	var staged int
	if err := r.tx.QueryRowContext(ctx, stagedBeforeSQL,
		r.Src.Provider, r.Src.Tenant, r.ID).Scan(&staged); err != nil {
		return err
	}
	res, err := r.tx.ExecContext(ctx, markMissingSQL,
		r.Src.Provider, r.Src.Tenant, r.ID)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	r.Counts.Missing = int(n)
	if 2*r.Counts.Missing > staged && !r.settings.AcceptMissing {
		return &MissingError{Source: r.Src, Missing: r.Counts.Missing, Staged: staged}
	}
	// A user seen in this run without a TOTP secret it had before has lost
	// it, unless the factor already reached WorkOS.
	if _, err := r.tx.ExecContext(ctx, removeLostTOTPSQL,
		r.Src.Provider, r.Src.Tenant, r.ID); err != nil {
		return err
	}
	return r.tx.QueryRowContext(ctx, deltaCountsSQL,
		r.Src.Provider, r.Src.Tenant, r.ID).Scan(&r.Counts.New, &r.Counts.Changed, &r.Counts.Unchanged)
}

// MissingError stops a re-ingest that would mark more than half of the
// users staged from a source missing. An export cut short, filtered, or
// taken from the wrong instance looks exactly like that, and a missing user
// is no longer imported; a real mass removal is confirmed with
// --accept-missing.
type MissingError struct {
	Source  Source
	Missing int // users the export no longer has
	Staged  int // users staged from the source before this run, not missing then
}

func (e *MissingError) Error() string {
	src := e.Source.Provider
	if e.Source.Tenant != "" {
		src += " (tenant " + e.Source.Tenant + ")"
	}
	return fmt.Sprintf("this export does not have %d of the %d users staged from %s: marking more than half of a source's users missing "+
		"is refused (is the export complete, and from the right instance?); nothing was changed", e.Missing, e.Staged, src)
}

// Hint says how to go on when the users were really removed.
func (e *MissingError) Hint() string {
	return "if those users were really removed, run the same ingest again with --accept-missing"
}

// The statements of this file, kept as named files in sqlqueries.
var (
	touchTOTPSQL      = sqlqueries.MustLoad("ingest/touch_totp.sql").SQL
	stagedBeforeSQL   = sqlqueries.MustLoad("ingest/staged_before.sql").SQL
	markMissingSQL    = sqlqueries.MustLoad("ingest/mark_missing.sql").SQL
	removeLostTOTPSQL = sqlqueries.MustLoad("ingest/remove_lost_totp.sql").SQL
	deltaCountsSQL    = sqlqueries.MustLoad("ingest/delta_counts.sql").SQL
)
