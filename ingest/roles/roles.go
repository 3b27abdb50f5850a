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
	"github.com/mig-tools/mig/sqlqueries"
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
var applyUserMappingSQL = sqlqueries.MustLoad("ingest/user_role_mapping.sql").SQL

func applyUserMapping(ctx context.Context, run *ingest.Run) error {
	tx := run.Tx()
	args := []any{sql.Named("run_id", run.ID), sql.Named("source", run.Src.Provider), sql.Named("tenant", run.Src.Tenant), sql.Named("now", staging.Now())}
	if _, err := tx.ExecContext(ctx, userMappingWarningsSQL, args...); err != nil {
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

// The statements of this file, kept as named files in sqlqueries.
var (
	userMappingWarningsSQL = sqlqueries.MustLoad("ingest/user_role_mapping_warnings.sql").SQL
)
