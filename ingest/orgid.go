package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
)

// AddOrgMemberships stages, for mig import --org-id, the existing WorkOS
// organization orgID and a membership in it for every staged user that is
// still in the source, in tx: the memberships then get import rows, states
// and resumability like those of an org mapping. Staging them again
// changes nothing. It is source data given on the command line, so the
// import stage does not write it itself: mig import hands this function to
// the importer, which runs it once the run may start.
func AddOrgMemberships(ctx context.Context, tx *sqlx.Tx, orgID string) error {
	orgID = strings.TrimSpace(orgID)
	if orgID == "" {
		return fmt.Errorf("--org-id: empty organization id")
	}
	for _, stmt := range sqlqueries.Statements(sqlqueries.MustLoad("ingest/org_id_memberships.sql").SQL) {
		if _, err := tx.ExecContext(ctx, stmt, sql.Named("org_id", orgID)); err != nil {
			return fmt.Errorf("--org-id %s: %w", orgID, err)
		}
	}
	return nil
}
