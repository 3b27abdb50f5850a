// Package roles is `mig ingest roles`: role definitions (role_slug,
// role_name, role_type, permissions, org_id, org_external_id) and user-role
// mappings (a user of any source by email, external_id or user_id, and a
// role_slug), the two files the reference tool's process-role-definitions
// takes. Reading definitions is the source kit's (ingest.StageDefinitions);
// what is left here is the command and the mapping of roles to users of
// every source, which no single source does.
package roles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// Options are the inputs of `mig ingest roles`.
type Options struct {
	Definitions string // role definitions CSV (required unless UserMapping is given)
	UserMapping string // optional: email | external_id | user_id, role_slug
	// OrgID is a WorkOS organization id: organization roles that name no
	// organization belong to it, and mapped roles are given in it only.
	OrgID  string
	Tenant string
	// Settings bound what one CSV record may hold.
	Settings ingest.Settings
}

// Provider is the source name of role ingests in staging.
const Provider = "roles"

// Ingest stages role definitions and, optionally, assigns roles to users
// already staged by any source (matched by email, external id, or source or
// WorkOS user id). One transaction; a bad line leaves the database as it was.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	var files []*ingest.File
	if o.Definitions != "" {
		files = append(files, &ingest.File{Role: "role_definitions", Path: o.Definitions})
	}
	if o.UserMapping != "" {
		files = append(files, &ingest.File{Role: "user_role_mapping", Path: o.UserMapping})
	}
	if len(files) == 0 {
		return ingest.Counts{}, errors.New("ingest roles: give --definitions, --user-mapping or both")
	}
	run, err := ingest.BeginWith(ctx, db, ingest.Source{Provider: Provider, Tenant: o.Tenant}, files,
		map[string]any{"org_id": o.OrgID, "definitions": o.Definitions != "", "user_mapping": o.UserMapping != ""}, o.Settings)
	if err != nil {
		return ingest.Counts{}, err
	}
	defer run.Rollback()
	if o.Definitions != "" {
		n, err := ingest.StageDefinitions(ctx, run, o.Definitions, o.OrgID)
		if err != nil {
			return ingest.Counts{}, err
		}
		run.SetRows("role_definitions", n)
		run.Counts.Rows += n
		if err := ingest.RemoveStaleRoles(ctx, run); err != nil {
			return ingest.Counts{}, err
		}
	}
	if o.UserMapping != "" {
		n, err := stageUserMapping(ctx, run, o.UserMapping, o.OrgID)
		if err != nil {
			return ingest.Counts{}, err
		}
		run.SetRows("user_role_mapping", n)
		run.Counts.Rows += n
	}
	return run.Commit(ctx)
}

// stageUserMapping reads email|external_id|user_id,role_slug lines and gives
// the roles to matching users of any source.
func stageUserMapping(ctx context.Context, run *ingest.Run, path, orgID string) (int, error) {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := r.Header("role_slug"); err != nil {
		return 0, err
	}
	if !r.Has("email") && !r.Has("external_id") && !r.Has("user_id") {
		return 0, &ingest.LineError{File: path, Line: r.Line(), Msg: "header needs a user column: email, external_id or user_id"}
	}
	if err := run.ClearRoleMapping(ctx); err != nil {
		return 0, err
	}
	rows, err := r.Each(ctx, func(get func(string) string, line int) error {
		slug := get("role_slug")
		if slug == "" {
			return &ingest.LineError{File: path, Line: line, Field: "role_slug", Msg: "empty: each line gives one user a role"}
		}
		var key string
		switch {
		case get("email") != "":
			key = "email:" + ingest.NormalizeEmail(get("email"))
		case get("external_id") != "":
			key = "ext:" + get("external_id")
		case get("user_id") != "":
			key = "id:" + get("user_id")
		default:
			return &ingest.LineError{File: path, Line: line, Field: "email", Msg: "no user: fill email, external_id or user_id"}
		}
		rowOrg, rowExt := get("org_id"), get("org_external_id")
		if rowOrg == "" && rowExt == "" {
			rowOrg = orgID
		}
		if rowOrg != "" || rowExt != "" {
			k, res := ingest.OrgKey(rowOrg, rowExt, "")
			if _, err := ingest.EnsureOrg(ctx, run, k, res, rowOrg, rowExt, "", path, line); err != nil {
				return err
			}
		}
		if err := run.AddRoleMappingRow(ctx, path, ingest.RoleMappingRow{Row: line, SourceUserID: key, RoleSlug: slug,
			OrgID: rowOrg, OrgExternalID: rowExt}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return rows, err
	}
	return rows, applyUserMapping(ctx, run)
}

// applyUserMapping turns this run's mapping lines into role assignments.
// Lines are keyed "email:", "ext:" or "id:" (a source user id or a WorkOS
// user id); a key matching users of several sources gives all of them the
// role, since they become one WorkOS user.
const applyUserMappingSQL = `
WITH keyed AS (
    SELECT r.*, substr(r.source_user_id, 1, instr(r.source_user_id, ':') - 1) AS kind,
           substr(r.source_user_id, instr(r.source_user_id, ':') + 1) AS val
    FROM role_mapping_rows r WHERE r.ingest_run_id = :run_id
), matched AS (
    SELECT k.id AS line_id, u.id AS user_id FROM keyed k JOIN users u ON k.kind = 'email' AND u.email = k.val
    UNION
    SELECT k.id, u.id FROM keyed k JOIN users u ON k.kind = 'ext' AND u.external_id = k.val
    UNION
    SELECT k.id, u.id FROM keyed k JOIN users u ON k.kind = 'id' AND u.source_id = k.val
    UNION
    SELECT k.id, i.entity_id FROM keyed k JOIN import_items i ON k.kind = 'id' AND i.entity = 'user' AND i.workos_id = k.val
)
INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, ingest_run_id, row_number)
SELECT m.user_id, k.role_slug, o.id, coalesce(o.org_key, ''), :source, :run_id, min(k.row_number)
FROM keyed k
JOIN matched m ON m.line_id = k.id
LEFT JOIN organizations o ON o.org_key = CASE WHEN k.org_id IS NOT NULL THEN 'id:' || k.org_id
                                              WHEN k.org_external_id IS NOT NULL THEN 'ext:' || k.org_external_id END
WHERE true
GROUP BY m.user_id, k.role_slug, o.id
ON CONFLICT (user_id, role_slug, scope_key) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number`

func applyUserMapping(ctx context.Context, run *ingest.Run) error {
	tx := run.Tx()
	args := []any{sql.Named("run_id", run.ID), sql.Named("source", run.Src.Provider), sql.Named("tenant", run.Src.Tenant), sql.Named("now", staging.Now())}
	if _, err := tx.ExecContext(ctx, `INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
		SELECT :run_id, :source, :tenant, 'role_mapping_unknown_user',
		       'role mapping names ' || replace(r.source_user_id, 'ext:', 'external id ') || ', which no staged user has; the role is not assigned',
		       'role_mapping', r.source_user_id, r.file, r.row_number, :now
		FROM role_mapping_rows r
		WHERE r.ingest_run_id = :run_id
		  AND NOT CASE substr(r.source_user_id, 1, instr(r.source_user_id, ':') - 1)
		        WHEN 'email' THEN EXISTS (SELECT 1 FROM users u WHERE u.email = substr(r.source_user_id, 7))
		        WHEN 'ext' THEN EXISTS (SELECT 1 FROM users u WHERE u.external_id = substr(r.source_user_id, 5))
		        ELSE EXISTS (SELECT 1 FROM users u WHERE u.source_id = substr(r.source_user_id, 4))
		          OR EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'user' AND i.workos_id = substr(r.source_user_id, 4))
		      END`, args...); err != nil {
		return fmt.Errorf("role mapping warnings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM role_assignments WHERE source = :source AND ingest_run_id < :run_id`, args...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, applyUserMappingSQL, args...); err != nil {
		return fmt.Errorf("assign mapped roles: %w", err)
	}
	return nil
}
