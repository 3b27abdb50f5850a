package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// This file holds the org- and role-mapping lines of a run: how a
// source hands them over, and the SQL scripts that turn them into
// memberships and role assignments at the end of the run.

// OrgMappingRow is one line of an org-mapping file as written.
type OrgMappingRow struct {
	Row           int
	SourceUserID  string
	OrgID         string
	OrgExternalID string
	OrgName       string
}

// AddOrgMappingRow stores a mapping line; ApplyOrgMapping turns the run's
// lines into organizations and memberships.
func (r *Run) AddOrgMappingRow(ctx context.Context, file string, m OrgMappingRow) error {
	if file != r.orgFile {
		if err := r.flushMapping(); err != nil {
			return err
		}
		r.orgFile = file
	}
	r.orgFeed.add(m.Row, m.SourceUserID,
		null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)), null(strings.TrimSpace(m.OrgName)))
	if r.orgFeed.full() {
		return r.flushMapping()
	}
	return nil
}

// RoleMappingRow is one line of a role-mapping file.
type RoleMappingRow struct {
	Row           int
	SourceUserID  string
	RoleSlug      string
	OrgID         string
	OrgExternalID string
}

// AddRoleMappingRow stores a role-mapping line; ApplyRoleMapping turns the
// run's lines into role assignments.
func (r *Run) AddRoleMappingRow(ctx context.Context, file string, m RoleMappingRow) error {
	if file != r.roleFile {
		if err := r.flushMapping(); err != nil {
			return err
		}
		r.roleFile = file
	}
	r.roleFeed.add(m.Row, m.SourceUserID,
		strings.TrimSpace(m.RoleSlug), null(strings.TrimSpace(m.OrgID)), null(strings.TrimSpace(m.OrgExternalID)))
	if r.roleFeed.full() {
		return r.flushMapping()
	}
	return nil
}

// flushMapping stores the collected mapping lines.
func (r *Run) flushMapping() error {
	r.reserve(r.rowCtx)
	if err := r.orgFeed.flush(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, r.orgFile); err != nil {
		return fmt.Errorf("%s: stage org-mapping lines: %w", r.orgFile, err)
	}
	if err := r.roleFeed.flush(r.rowCtx, r.ID, r.Src.Provider, r.Src.Tenant, r.roleFile); err != nil {
		return fmt.Errorf("%s: stage role-mapping lines: %w", r.roleFile, err)
	}
	return nil
}

// ClearOrgMapping forgets the source's org-mapping lines of earlier runs;
// call it before adding the lines of a new mapping (again, it does
// nothing). It leaves the users phase alone, so a source may call it while
// it still hands over users.
func (r *Run) ClearOrgMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.orgCleared {
		return err
	}
	r.kit.orgCleared = true
	// The lines are replaced as a whole: their indexes are built once, after.
	if err := r.dropIndexes(ctx, "org_mapping_rows"); err != nil {
		return err
	}
	_, err := r.tx.ExecContext(ctx, `DELETE FROM org_mapping_rows WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`, r.Src.Provider, r.Src.Tenant, r.ID)
	return err
}

// ClearRoleMapping forgets the source's role-mapping lines of earlier runs.
func (r *Run) ClearRoleMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.roleCleared {
		return err
	}
	r.kit.roleCleared = true
	if err := r.dropIndexes(ctx, "role_mapping_rows"); err != nil {
		return err
	}
	_, err := r.tx.ExecContext(ctx, `DELETE FROM role_mapping_rows WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`, r.Src.Provider, r.Src.Tenant, r.ID)
	return err
}

// ApplyOrgMapping runs sqlqueries/ingest/org_mapping.sql: the priority rule
// picks each line's organization, organizations are created or completed,
// and every (user, organization) pair becomes one membership. When the
// source was staged before, org_mapping_prune.sql then removes what the
// earlier mapping made and this one does not; on a first run (r.bulk: the
// source had no users, so it had no memberships) there is nothing to prune.
func (r *Run) ApplyOrgMapping(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.restoreIndexes(ctx, "org_mapping_rows"); err != nil {
		return err
	}
	if r.bulk {
		return r.withoutIndexes(ctx, "memberships", "ingest/org_mapping.sql")
	}
	if err := r.script(ctx, "ingest/org_mapping.sql"); err != nil {
		return err
	}
	return r.script(ctx, "ingest/org_mapping_prune.sql")
}

// ApplyRoleMapping runs sqlqueries/ingest/role_mapping.sql, then
// role_mapping_prune.sql when the source was staged before.
func (r *Run) ApplyRoleMapping(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.restoreIndexes(ctx, "role_mapping_rows"); err != nil {
		return err
	}
	if r.bulk {
		return r.withoutIndexes(ctx, "role_assignments", "ingest/role_mapping.sql")
	}
	if err := r.script(ctx, "ingest/role_mapping.sql"); err != nil {
		return err
	}
	return r.script(ctx, "ingest/role_mapping_prune.sql")
}

func (r *Run) script(ctx context.Context, path string) error {
	q, err := sqlqueries.Load(path)
	if err != nil {
		return err
	}
	args := []any{sql.Named("run_id", r.ID), sql.Named("source", r.Src.Provider),
		sql.Named("tenant", r.Src.Tenant), sql.Named("now", staging.Now())}
	for i, stmt := range sqlqueries.Statements(q.SQL) {
		if err := r.exec(ctx, fmt.Sprintf("%s statement %d", path, i+1), stmt, args...); err != nil {
			return fmt.Errorf("%s statement %d: %w", path, i+1, err)
		}
	}
	return nil
}

// The statements of this file, kept as named files in sqlqueries.
var (
	orgMappingFeedSQL  = sqlqueries.MustLoad("ingest/org_mapping_feed.sql").SQL
	roleMappingFeedSQL = sqlqueries.MustLoad("ingest/role_mapping_feed.sql").SQL
)
