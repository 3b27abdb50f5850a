package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mig-tools/mig/sqlqueries"
)

// This file is the part of the source kit that stages what a source knows
// beyond its users: organizations, role and permission definitions, and SSO
// connections. A source hands them over through DefinitionSink; the run
// writes them at once, into tables the users phase leaves alone, so handing
// one over in the middle of the users does not end the bulk phase.

// kitState is what the source kit keeps in a run: whether SSO secrets are
// staged, the statements of this file, prepared on first use, and whether
// the mapping lines of earlier runs were cleared yet.
type kitState struct {
	includeSecrets bool
	// withoutUsers: the run hands over no users and says nothing of those
	// staged before, so Commit marks none missing (Spec.WithoutUsers, and
	// supplements).
	withoutUsers bool
	// supplementPassword finds the password a supplement merged into a
	// staged user, for a re-ingest of its source (supplement.go).
	supplementPassword *sql.Stmt

	upsertOrg, ensureOrg, roleDup, upsertRole, insertPerm, upsertConn *sql.Stmt

	orgCleared, roleCleared bool
}

// OrgKey is staging's identity of an organization named by WorkOS id,
// external id or name, in the priority order of the org-mapping rule.
func OrgKey(orgID, orgExternalID, orgName string) (key, resolution string) {
	switch {
	case orgID != "":
		return "id:" + orgID, "org_id"
	case orgExternalID != "" && orgName != "":
		return "ext:" + orgExternalID, "external_id_create"
	case orgExternalID != "":
		return "ext:" + orgExternalID, "external_id"
	case orgName != "":
		return "name:" + orgName, "name"
	}
	return "", ""
}

// prepareOnce prepares *dst on the run's transaction the first time it is
// needed; statements end with the transaction.
func (r *Run) prepareOnce(ctx context.Context, dst **sql.Stmt, q string) (*sql.Stmt, error) {
	if *dst != nil {
		return *dst, nil
	}
	st, err := r.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	*dst = st
	return st, nil
}

// EnsureOrg stages the organization a role or connection names when nothing
// staged it yet. It is identified, not invented: an org_id is a WorkOS
// organization, an external id is looked up at import. It returns the row id.
func EnsureOrg(ctx context.Context, run *Run, key, resolution, orgID, orgExt, orgName, file string, line int) (int64, error) {
	st, err := run.prepareOnce(ctx, &run.kit.ensureOrg, ensureOrgSQL)
	if err != nil {
		return 0, err
	}
	var id int64
	err = st.QueryRowContext(run.rowCtx, key, resolution, null(orgID), null(orgExt), null(orgName), run.Src.Provider, run.Src.Tenant, run.ID, line).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("%s:%d: stage organization %s: %w", file, line, Excerpt(key), err)
	}
	return id, nil
}

// AddOrganization stages an organization as the source knows it, keyed
// like a mapping line (OrgKey): a WorkOS id, else the provider's id (the
// organization is created at import when it has a name), else its name.
// Handing the same organization over again updates it, so a fetch that
// starts again stages nothing twice. Domains and metadata replace what an
// earlier run staged; a name, WorkOS id or external id left empty keeps
// the one staged.
func (r *Run) AddOrganization(ctx context.Context, file string, o Organization) error {
	orgID, ext, name := strings.TrimSpace(o.OrgID), strings.TrimSpace(o.ExternalID), strings.TrimSpace(o.Name)
	key, res := OrgKey(orgID, ext, name)
	if key == "" {
		return &LineError{File: file, Line: o.Row, Field: "organization", Msg: "no WorkOS id, external id or name: the organization cannot be told apart"}
	}
	st, err := r.prepareOnce(ctx, &r.kit.upsertOrg, upsertOrgSQL)
	if err != nil {
		return err
	}
	domains := o.Domains
	if domains == nil {
		domains = []string{}
	}
	dj, err := json.Marshal(domains)
	if err != nil {
		return err
	}
	r.reserve(r.rowCtx)
	if _, err := st.ExecContext(r.rowCtx, key, res, null(orgID), null(ext), null(name), string(dj), string(appendJSONMap(nil, o.Metadata)),
		r.Src.Provider, r.Src.Tenant, null(ext), r.ID, o.Row); err != nil {
		return fmt.Errorf("%s:%d: stage organization %s: %w", file, o.Row, Excerpt(key), err)
	}
	return nil
}

// AddRoleDefinition stages a role and its permissions. A role that names
// an organization (OrgID or OrgExternalID) is an organization role, and
// its organization is staged if nothing staged it yet (EnsureOrg); one that
// names none is an environment role. A second definition of the same slug
// in the same scope in one run is an error naming both rows.
func (r *Run) AddRoleDefinition(ctx context.Context, file string, d RoleDefinition) error {
	slug := strings.TrimSpace(d.Slug)
	if slug == "" {
		return &LineError{File: file, Line: d.Row, Field: "role_slug", Msg: "empty: every role needs a slug"}
	}
	orgID, orgExt := strings.TrimSpace(d.OrgID), strings.TrimSpace(d.OrgExternalID)
	typ, scope := "environment", ""
	var orgRowID any
	if orgID != "" || orgExt != "" {
		typ = "organization"
		key, res := OrgKey(orgID, orgExt, "")
		id, err := EnsureOrg(ctx, r, key, res, orgID, orgExt, "", file, d.Row)
		if err != nil {
			return err
		}
		orgRowID, scope = id, key
	}
	dup, err := r.prepareOnce(ctx, &r.kit.roleDup, `SELECT row_number FROM roles WHERE slug = ? AND scope_key = ? AND ingest_run_id = ?`)
	if err != nil {
		return err
	}
	var first int
	if err := dup.QueryRowContext(r.rowCtx, slug, scope, r.ID).Scan(&first); err == nil {
		return &LineError{File: file, Line: d.Row, Field: "role_slug", Msg: fmt.Sprintf("role %s%s is already defined on line %d", Excerpt(slug), scopeText(scope), first)}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	upsert, err := r.prepareOnce(ctx, &r.kit.upsertRole, upsertRoleSQL)
	if err != nil {
		return err
	}
	perm, err := r.prepareOnce(ctx, &r.kit.insertPerm, `INSERT INTO permissions (slug, source, ingest_run_id) VALUES (?, ?, ?) ON CONFLICT (slug) DO NOTHING`)
	if err != nil {
		return err
	}
	perms := d.Permissions
	if perms == nil {
		perms = []string{}
	}
	pj, err := json.Marshal(perms)
	if err != nil {
		return err
	}
	if _, err := upsert.ExecContext(r.rowCtx, slug, null(d.Name), null(d.Description), typ, string(pj), orgRowID, scope, r.Src.Provider, r.ID, d.Row); err != nil {
		return fmt.Errorf("%s:%d: stage role %s: %w", file, d.Row, Excerpt(slug), err)
	}
	for _, p := range perms {
		if _, err := perm.ExecContext(r.rowCtx, p, r.Src.Provider, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func scopeText(scope string) string {
	if scope == "" {
		return ""
	}
	return " for organization " + Excerpt(scope)
}

// StageDefinitions reads a role definitions file (role_slug, role_name,
// role_type, permissions, org_id, org_external_id) into roles and
// permissions. An organization role needs its organization (org_id,
// org_external_id, or defaultOrgID); an environment role must name none.
// It returns the number of data rows.
func StageDefinitions(ctx context.Context, run *Run, path, defaultOrgID string) (int, error) {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := r.Header("role_slug"); err != nil {
		return 0, err
	}
	// The users phase ends here: what follows may read users back.
	run.Tx()
	return r.Each(ctx, func(get func(string) string, line int) error {
		lineErr := func(field, format string, args ...any) error {
			return &LineError{File: path, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		slug := get("role_slug")
		if slug == "" {
			return lineErr("role_slug", "empty: every role needs a slug")
		}
		orgID, orgExt := get("org_id"), get("org_external_id")
		typ := strings.ToLower(get("role_type"))
		switch typ {
		case "":
			typ = "environment"
			if orgID != "" || orgExt != "" {
				typ = "organization"
			}
		case "environment", "organization":
		default:
			return lineErr("role_type", "%s: role_type is environment or organization", Excerpt(typ))
		}
		if typ == "environment" && (orgID != "" || orgExt != "") {
			return lineErr("role_type", "an environment role applies to every organization and cannot name one (org_id/org_external_id); make it an organization role")
		}
		if typ == "organization" && orgID == "" && orgExt == "" {
			orgID = defaultOrgID
			if orgID == "" {
				return lineErr("org_id", "organization role %s names no organization: fill org_id or org_external_id, or pass --org-id", Excerpt(slug))
			}
		}
		return run.AddRoleDefinition(ctx, path, RoleDefinition{Row: line, Slug: slug, Name: get("role_name"),
			OrgID: orgID, OrgExternalID: orgExt, Permissions: SplitMulti(get("permissions"))})
	})
}

// RemoveStaleRoles drops roles an earlier run of this source staged and this
// one no longer defines, unless WorkOS already has them.
func RemoveStaleRoles(ctx context.Context, run *Run) error {
	_, err := run.Tx().ExecContext(ctx, removeStaleRolesSQL,
		run.Src.Provider, run.ID)
	return err
}

// AddSSOConnection stages an enterprise connection for the handoff files.
// Its SourceID keys it within the source, so handing it over again updates
// it. Secrets are staged only when the run was asked for them
// (Spec.IncludeSecrets); otherwise they are dropped here, before they reach
// the database, and a warning names the ones left out, so that the
// package's warnings say which connections need a secret entered by hand.
func (r *Run) AddSSOConnection(ctx context.Context, file string, c SSOConnection) error {
	id, name := strings.TrimSpace(c.SourceID), strings.TrimSpace(c.Name)
	if name == "" {
		name = id
	}
	switch {
	case id == "":
		return &LineError{File: file, Line: c.Row, Field: "connection", Msg: "no connection id: the connection cannot be told apart"}
	case c.Protocol != "saml" && c.Protocol != "oidc":
		return &LineError{File: file, Line: c.Row, Field: "protocol", Msg: fmt.Sprintf("connection %s: protocol %s is neither saml nor oidc", Excerpt(id), Excerpt(c.Protocol))}
	}
	var orgRow any
	if key, res := OrgKey("", strings.TrimSpace(c.OrgExternalID), ""); key != "" {
		o, err := EnsureOrg(ctx, r, key, res, "", strings.TrimSpace(c.OrgExternalID), "", file, c.Row)
		if err != nil {
			return err
		}
		orgRow = o
	}
	var secrets any
	if names := sortedKeys(c.Secrets); len(names) > 0 {
		if r.kit.includeSecrets {
			secrets = string(appendJSONMap(nil, c.Secrets))
		} else if err := r.Warn(ctx, Warning{Code: "sso_secret_redacted", Entity: "sso_connection", SourceID: id, File: file, Row: c.Row,
			Message: fmt.Sprintf("connection %s has %s, which is not staged because secrets were not asked for; ingest again with --include-secrets, or enter it in WorkOS by hand",
				Excerpt(name), strings.Join(names, ", "))}); err != nil {
			return err
		}
	}
	var maps []map[string]string
	for _, k := range sortedKeys(c.AttributeMappings) {
		maps = append(maps, map[string]string{"providerType": strings.ToUpper(c.Protocol), "userPoolAttribute": k, "idpClaim": c.AttributeMappings[k]})
	}
	if maps == nil {
		maps = []map[string]string{}
	}
	domains := c.Domains
	if domains == nil {
		domains = []string{}
	}
	dj, err := json.Marshal(domains)
	if err != nil {
		return err
	}
	mj, err := json.Marshal(maps)
	if err != nil {
		return err
	}
	st, err := r.prepareOnce(ctx, &r.kit.upsertConn, upsertConnectionSQL)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(r.rowCtx, r.Src.Provider, r.Src.Tenant, id, c.Protocol, name, orgRow, string(dj),
		string(appendJSONMap(nil, c.Config)), secrets, string(mj), r.ID, c.Row); err != nil {
		return fmt.Errorf("%s:%d: stage connection %s: %w", file, c.Row, Excerpt(id), err)
	}
	return nil
}

// RemoveStaleConnections drops the SSO connections an earlier run of this
// source staged and this one did not hand over: the run stated them all.
func RemoveStaleConnections(ctx context.Context, run *Run) error {
	_, err := run.Tx().ExecContext(ctx, `DELETE FROM sso_connections WHERE source = ? AND source_tenant = ? AND ingest_run_id <> ?`,
		run.Src.Provider, run.Src.Tenant, run.ID)
	return err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// The statements of this file, kept as named files in sqlqueries.
var (
	ensureOrgSQL        = sqlqueries.MustLoad("ingest/ensure_org.sql").SQL
	upsertOrgSQL        = sqlqueries.MustLoad("ingest/upsert_organization.sql").SQL
	upsertRoleSQL       = sqlqueries.MustLoad("ingest/upsert_role.sql").SQL
	removeStaleRolesSQL = sqlqueries.MustLoad("ingest/remove_stale_roles.sql").SQL
	upsertConnectionSQL = sqlqueries.MustLoad("ingest/upsert_connection.sql").SQL
)
