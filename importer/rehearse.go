package importer

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Rehearse sends what is staged in db to the WorkOS that opts names, as Run
// does, but without Run's gate on open `mig check` error findings: every
// row is sent, those the findings concern too (unless
// opts.IgnoreCheckErrors skips them, as in a real run), so that the report
// shows what WorkOS answers them. It is meant for a stand-in WorkOS that
// holds nothing of value, on a database that is itself a copy: mig import
// --dry-run runs it on a copy of the staging database against an
// in-process emulator. db changes as Run would change it.
func Rehearse(ctx context.Context, db *staging.DB, opts Options) (*Summary, error) {
	return run(ctx, db, opts, false)
}

// OrganizationsByID lists the WorkOS organizations the staging names by id
// (org_id in an org mapping): a run looks them up and never creates them,
// so a rehearsal against an empty stand-in must add them to it first.
func OrganizationsByID(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	var ids []string
	if err := sqlx.SelectContext(ctx, q, &ids, sqlqueries.MustLoad("importer/organizations_by_id.sql").SQL); err != nil {
		return nil, fmt.Errorf("read the organizations given by id: %w", err)
	}
	return ids, nil
}
