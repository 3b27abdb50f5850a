package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	r.mapDiff.orgOutside = true // not a line of a mapping file the kit read
	return r.addOrgMappingRow(ctx, file, m)
}

func (r *Run) addOrgMappingRow(ctx context.Context, file string, m OrgMappingRow) error {
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
	r.mapDiff.roleOutside = true
	return r.addRoleMappingRow(ctx, file, m)
}

func (r *Run) addRoleMappingRow(ctx context.Context, file string, m RoleMappingRow) error {
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
	if !r.kit.orgCleared {
		r.mapDiff.orgOutside = true // the lines are not those of a file the kit read
	}
	return r.clearOrgMapping(ctx)
}

func (r *Run) clearOrgMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.orgCleared {
		return err
	}
	r.kit.orgCleared = true
	if r.mapDiff.org {
		return nil // org_mapping_diff.sql replaces the lines that changed
	}
	// The lines are replaced as a whole: their indexes are built once, after.
	if err := r.dropIndexes(ctx, "org_mapping_rows"); err != nil {
		return err
	}
	_, err := r.tx.ExecContext(ctx, `DELETE FROM org_mapping_rows WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`, r.Src.Provider, r.Src.Tenant, r.ID)
	return err
}

// ClearRoleMapping forgets the source's role-mapping lines of earlier runs.
func (r *Run) ClearRoleMapping(ctx context.Context) error {
	if !r.kit.roleCleared {
		r.mapDiff.roleOutside = true
	}
	return r.clearRoleMapping(ctx)
}

func (r *Run) clearRoleMapping(ctx context.Context) error {
	if err := r.flushMapping(); err != nil || r.kit.roleCleared {
		return err
	}
	r.kit.roleCleared = true
	if r.mapDiff.role {
		return nil
	}
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
// A re-ingest that applies its org mapping by difference (diffMapping)
// first stages the lines of the users whose lines changed
// (org_mapping_diff.sql), and applies and prunes only those.
func (r *Run) ApplyOrgMapping(ctx context.Context) error {
	return r.applyMapping(ctx, orgMapFile, "memberships")
}

// ApplyRoleMapping runs sqlqueries/ingest/role_mapping.sql, then
// role_mapping_prune.sql when the source was staged before; by difference
// (role_mapping_diff.sql first) as ApplyOrgMapping.
func (r *Run) ApplyRoleMapping(ctx context.Context) error {
	return r.applyMapping(ctx, roleMapFile, "role_assignments")
}

// applyMapping is ApplyOrgMapping and ApplyRoleMapping: the scripts of
// mapping mf (ingest/<role>.sql, <role>_diff.sql, <role>_prune.sql), which
// make the rows of table made.
func (r *Run) applyMapping(ctx context.Context, mf mapFile, made string) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	lines, script := mf.role+"_rows", "ingest/"+mf.role+".sql"
	prune := "ingest/" + mf.role + "_prune.sql"
	if r.mapDiff.on(mf.kind) {
		if err := r.redoWarned(ctx, mf.kind); err != nil {
			return err
		}
		after, err := r.lastRowID(ctx, lines)
		if err != nil {
			return err
		}
		if err := r.script(ctx, "ingest/"+mf.role+"_diff.sql", sql.Named("redo_known", boolInt(r.mapDiff.known(mf.kind))), after); err != nil {
			return err
		}
		if err := r.script(ctx, script, after); err != nil {
			return err
		}
		return r.pruneMapping(ctx, mf.kind, prune)
	}
	if err := r.restoreIndexes(ctx, lines); err != nil {
		return err
	}
	if r.bulk {
		return r.withoutIndexes(ctx, made, script, allRows)
	}
	if err := r.script(ctx, script, allRows); err != nil {
		return err
	}
	return r.pruneMapping(ctx, mf.kind, prune)
}

// allRows is the :after_row of org_mapping.sql and role_mapping.sql when the
// run staged all of the source's lines: they read every line of the run.
var allRows = sql.Named("after_row", 0)

// lastRowID is the :after_row of a re-ingest applying a mapping by
// difference: the largest id of the lines, before the diff script deletes
// the changed users' lines and stages theirs above it.
func (r *Run) lastRowID(ctx context.Context, table string) (sql.NamedArg, error) {
	var id int64
	err := r.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&id)
	return sql.Named("after_row", id), err
}

// mappingDiff is what a re-ingest does with the mapping files it applies by
// difference: the lines the new file gives go to a temporary table, and
// only the users whose lines changed (or whose lines an earlier run warned
// about) have their lines, memberships or role assignments and warnings
// replaced. At a million lines where 1% changed, applying a mapping in full
// rewrote every line and every membership's index entry (bench/RESULTS.md).
type mappingDiff struct {
	// keptWarnings: the run began by keeping the source's mapping warnings
	// (view mapping_warnings), because it is a re-ingest that may apply its
	// mappings by difference. Each mapping's earlier warnings are then
	// removed by pruneMapping, or by Commit when the run does not apply it.
	keptWarnings bool
	tables       bool // mapping_diff_tables.sql ran
	// org, role: that mapping's lines go to temp.*_mapping_lines and are
	// applied by difference.
	org, role bool
	// orgDone, roleDone: that mapping's earlier warnings were dealt with.
	orgDone, roleDone bool
	// orgKnown, roleKnown: the users whose lines of that mapping are applied
	// again are in temp.mapping_redo already, found from the last run's
	// record digests (mappingdigests.go), and only their lines were staged.
	orgKnown, roleKnown bool
	// orgOutside, roleOutside: the run changed that mapping's lines
	// otherwise than by reading a mapping file (AddOrgMappingRow,
	// ClearOrgMapping): no record digests of it may remain.
	orgOutside, roleOutside bool
}

func (d *mappingDiff) on(kind string) bool {
	if kind == "role" {
		return d.role
	}
	return d.org
}

func (d *mappingDiff) outside(kind string) bool {
	if kind == "role" {
		return d.roleOutside
	}
	return d.orgOutside
}

func (d *mappingDiff) known(kind string) bool {
	if kind == "role" {
		return d.roleKnown
	}
	return d.orgKnown
}

func (d *mappingDiff) setKnown(kind string) {
	if kind == "role" {
		d.roleKnown = true
	} else {
		d.orgKnown = true
	}
}

// redoWarned adds the users an earlier run warned about to the users whose
// lines of a mapping are applied again (mapping_redo_warned.sql), unless the
// run did when it read the file (knownRedo).
func (r *Run) redoWarned(ctx context.Context, kind string) error {
	if r.mapDiff.known(kind) {
		return nil
	}
	return r.script(ctx, "ingest/mapping_redo_warned.sql", sql.Named("kind", kind))
}

// diffMapping makes the run apply the lines of one mapping ("org" or
// "role") by difference. Only a re-ingest whose lines of that mapping all
// come from one mapping file read by the kit can (Ingest decides): the
// difference is between the source's earlier lines and the file's.
func (r *Run) diffMapping(ctx context.Context, kind string) error {
	if !r.mapDiff.keptWarnings {
		return nil // not a re-ingest: there are no earlier lines to compare with
	}
	f, q := r.orgFeed, orgMappingLinesFeedSQL
	if kind == "role" {
		f, q = r.roleFeed, roleMappingLinesFeedSQL
	}
	if err := r.flushMapping(); err != nil {
		return err
	}
	if err := r.diffTables(ctx); err != nil {
		return err
	}
	st, err := r.tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	f.insert.Close()
	f.insert = st
	if kind == "role" {
		r.mapDiff.role = true
	} else {
		r.mapDiff.org = true
	}
	return nil
}

// sameMapping reports whether a re-ingest may leave one mapping (role
// "org_mapping" or "role_mapping", read from path) as the last run of the
// source left it, without reading it: the file is the one that run read
// (same SHA-256), no user is new (so no line names a user it did not name
// before), no user changed either when the file names users by email or
// external id (a line may name another user now), and no earlier line of
// that mapping was warned about (what made the warning may have changed).
// Then every line would make what it made before. The file's rows are
// recorded as the last run's.
func (r *Run) sameMapping(ctx context.Context, role, path string, userCols []string, required ...string) (bool, error) {
	kind := strings.TrimSuffix(role, "_mapping")
	if !r.mapDiff.keptWarnings || r.delta.new > 0 || r.Counts.Missing > 0 {
		return false, nil
	}
	if err := r.waitDigests(); err != nil {
		return false, err
	}
	var f *File
	for _, file := range r.files {
		if file.Role == role {
			f = file
		}
	}
	if f == nil || f.hash == "" {
		return false, nil
	}
	var rows int
	err := r.tx.QueryRowContext(ctx, sameMappingSQL, r.Src.Provider, r.Src.Tenant, r.ID, role, f.hash, kind).Scan(&rows)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if r.delta.changed > 0 {
		// The header says how the lines name users (and is checked as a
		// read would check it).
		m, closeFile, err := r.openMapping(path, userCols, required...)
		if err != nil {
			return false, err
		}
		cols := m.cols
		closeFile()
		if slices.Contains(cols, EmailColumn) || slices.Contains(cols, ExternalIDColumn) {
			return false, nil
		}
	}
	f.rows = rows
	if r.Log != nil {
		r.Log.Debug("mapping file not read: the last run read the same one, and it would make the same rows", "file", path)
	}
	if kind == "role" {
		r.mapDiff.roleDone = true
	} else {
		r.mapDiff.orgDone = true
	}
	return true, nil
}

// waitDigests waits for the digests of the run's files, when Begin did not.
func (r *Run) waitDigests() error {
	if r.digested == nil {
		return r.digestErr
	}
	r.digestErr = <-r.digested
	r.digested = nil
	return r.digestErr
}

// diffTables creates the run's temporary tables of the mapping diff once.
func (r *Run) diffTables(ctx context.Context) error {
	if r.mapDiff.tables {
		return nil
	}
	r.mapDiff.tables = true
	return r.script(ctx, "ingest/mapping_diff_tables.sql")
}

// pruneMapping runs a mapping's prune script, over every user of the source
// or, when the mapping was applied by difference, over those whose lines
// were applied again, and removes the warnings earlier runs wrote about the
// same users.
func (r *Run) pruneMapping(ctx context.Context, kind, prune string) error {
	if err := r.diffTables(ctx); err != nil {
		return err
	}
	redo := sql.Named("redo_only", boolInt(r.mapDiff.org && kind == "org" || r.mapDiff.role && kind == "role"))
	if err := r.script(ctx, prune, redo); err != nil {
		return err
	}
	return r.dropMappingWarnings(ctx, kind, redo)
}

// dropMappingWarnings removes the warnings earlier runs wrote about one
// mapping (drop_mapping_warnings.sql), once per run, when the run kept them.
func (r *Run) dropMappingWarnings(ctx context.Context, kind string, redo sql.NamedArg) error {
	done := &r.mapDiff.orgDone
	if kind == "role" {
		done = &r.mapDiff.roleDone
	}
	if !r.mapDiff.keptWarnings || *done {
		return nil
	}
	*done = true
	if err := r.diffTables(ctx); err != nil {
		return err
	}
	return r.script(ctx, "ingest/drop_mapping_warnings.sql", sql.Named("kind", kind), redo)
}

// endMappingDiff ends what the run kept of its mappings, before it
// commits: the earlier warnings of a mapping the run did not apply go, as
// all of the source's other earlier warnings did when it began, and the
// temporary tables are dropped.
func (r *Run) endMappingDiff(ctx context.Context) error {
	if err := r.dropMappingDigests(ctx); err != nil {
		return err
	}
	for _, kind := range []string{"org", "role"} {
		if err := r.dropMappingWarnings(ctx, kind, sql.Named("redo_only", 0)); err != nil {
			return err
		}
	}
	if !r.mapDiff.tables {
		return nil
	}
	for _, t := range []string{"org_mapping_lines", "role_mapping_lines", "mapping_redo"} {
		if _, err := r.tx.ExecContext(ctx, `DROP TABLE temp.`+t); err != nil {
			return err
		}
	}
	r.mapDiff.tables = false
	return nil
}

// script runs one of sqlqueries' scripts in the run's transaction, with
// the run's named parameters (:run_id, :source, :tenant, :now) and extra
// ones.
func (r *Run) script(ctx context.Context, path string, extra ...any) error {
	q, err := sqlqueries.Load(path)
	if err != nil {
		return err
	}
	args := append([]any{sql.Named("run_id", r.ID), sql.Named("source", r.Src.Provider),
		sql.Named("tenant", r.Src.Tenant), sql.Named("now", staging.Now()), sql.Named("any_missing", boolInt(r.anyMissing()))}, extra...)
	for i, stmt := range sqlqueries.Statements(q.SQL) {
		if err := r.exec(ctx, fmt.Sprintf("%s statement %d", path, i+1), stmt, args...); err != nil {
			return fmt.Errorf("%s statement %d: %w", path, i+1, err)
		}
	}
	return nil
}

// The statements of this file, kept as named files in sqlqueries.
var (
	orgMappingFeedSQL       = sqlqueries.MustLoad("ingest/org_mapping_feed.sql").SQL
	roleMappingFeedSQL      = sqlqueries.MustLoad("ingest/role_mapping_feed.sql").SQL
	orgMappingLinesFeedSQL  = sqlqueries.MustLoad("ingest/org_mapping_lines_feed.sql").SQL
	roleMappingLinesFeedSQL = sqlqueries.MustLoad("ingest/role_mapping_lines_feed.sql").SQL
	sameMappingSQL          = sqlqueries.MustLoad("ingest/same_mapping.sql").SQL
)
