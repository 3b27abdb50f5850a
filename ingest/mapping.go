package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Mappings are the org- and role-mapping files a source's ingest takes
// (`--org-mapping F --role-mapping F`), and how their lines name users.
//
// An org-mapping file has a user column and at least one of org_id,
// org_external_id, org_name; several lines per user make several
// memberships, and the priority rule picks each line's organization (SQL:
// org_mapping_rows.org_key, view org_mapping_resolved). A role-mapping
// file has a user column and role_slug, optionally org_id or
// org_external_id; several lines per user give several roles.
type Mappings struct {
	OrgMapping  string // optional
	RoleMapping string // optional
	// UserColumns are the columns a line may name its user by, in order of
	// preference: the source's own id column first (clerk_user_id,
	// firebase_uid, auth0_user_id, cognito_sub), then any of the generic
	// UserIDColumn, ExternalIDColumn and EmailColumn the source accepts.
	// A file needs at least one of them; on each line the first one that is
	// filled names the user.
	UserColumns []string
}

// The generic user columns of a mapping file. Any other user column is the
// source's own id, as UserIDColumn is.
const (
	UserIDColumn     = "user_id"     // the source's id of the user (its SourceID)
	ExternalIDColumn = "external_id" // the user's staged external id
	EmailColumn      = "email"       // the user's email, compared normalised
)

// MappingFile is what reading one mapping file found.
type MappingFile struct {
	Path string
	Rows int
	// UserColumns are the user columns the file's header has, in the order
	// of Mappings.UserColumns.
	UserColumns []string
}

// mappingReader reads one mapping file's lines for a run.
type mappingReader struct {
	run      *Run
	path     string
	csv      *CSVReader
	cols     []string // the user columns the header has
	byEmail  *sql.Stmt
	byExtern *sql.Stmt
}

// openMapping opens a mapping file and checks its header: a user column,
// and the required columns.
func (r *Run) openMapping(path string, userCols []string, required ...string) (*mappingReader, func() error, error) {
	if len(userCols) == 0 {
		return nil, nil, errors.New("ingest: a mapping file needs at least one user column")
	}
	f, c, err := r.OpenCSV(path)
	if err != nil {
		return nil, nil, err
	}
	// With one user column it is required like any other; with several,
	// any one of them will do.
	req := required
	if len(userCols) == 1 {
		req = append([]string{userCols[0]}, required...)
	}
	if _, err := c.Header(req...); err != nil {
		f.Close()
		return nil, nil, err
	}
	m := &mappingReader{run: r, path: path, csv: c}
	for _, col := range userCols {
		if c.Has(col) {
			m.cols = append(m.cols, col)
		}
	}
	if len(m.cols) == 0 {
		f.Close()
		return nil, nil, &LineError{File: path, Line: c.Line(), Field: userCols[0],
			Msg: fmt.Sprintf("header has no user column: one of %s is needed", strings.Join(userCols, ", "))}
	}
	return m, func() error {
		for _, st := range []*sql.Stmt{m.byEmail, m.byExtern} {
			if st != nil {
				st.Close()
			}
		}
		return f.Close()
	}, nil
}

// user returns the source id of the user a line names ("" with the column
// to blame when the line names none). A line naming its user by email or
// external id gets the staged user's source id; when no user of the source
// has it, the value itself, so that the mapping step warns about it.
func (m *mappingReader) user(get func(string) string) (id, col string, err error) {
	for _, c := range m.cols {
		v := get(c)
		if v == "" {
			continue
		}
		switch c {
		case EmailColumn:
			return m.lookup(&m.byEmail, "email", NormalizeEmail(v))
		case ExternalIDColumn:
			return m.lookup(&m.byExtern, "external_id", v)
		}
		return v, c, nil
	}
	return "", m.cols[0], nil
}

func (m *mappingReader) lookup(st **sql.Stmt, column, v string) (string, string, error) {
	r := m.run
	if *st == nil {
		// The users phase is over (the pipeline reads mapping files after
		// it), so the users' indexes are there to look up.
		q, err := r.Tx().PrepareContext(r.rowCtx, `SELECT source_id FROM users WHERE `+column+` = ? AND source = ? AND source_tenant = ? ORDER BY id LIMIT 1`)
		if err != nil {
			return "", "", err
		}
		*st = q
	}
	var id string
	err := (*st).QueryRowContext(r.rowCtx, v, r.Src.Provider, r.Src.Tenant).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return v, column, nil
	}
	return id, column, err
}

// StageOrgMapping reads an org-mapping file into the run's mapping lines,
// after clearing the source's lines of earlier runs; ApplyOrgMapping (which
// the pipeline calls) turns them into organizations and memberships. It
// records the digests of the lines, with which a re-ingest applying the
// mapping by difference stages only the lines of the users whose lines
// changed (mappingdigests.go).
func (r *Run) StageOrgMapping(ctx context.Context, path string, userCols []string) (MappingFile, error) {
	res := MappingFile{Path: path}
	m, closeFile, err := r.openMapping(path, userCols)
	if err != nil {
		return res, err
	}
	defer closeFile()
	res.UserColumns = m.cols
	if !m.csv.Has("org_id") && !m.csv.Has("org_external_id") && !m.csv.Has("org_name") {
		return res, &LineError{File: path, Line: m.csv.Line(), Msg: "header needs at least one of org_id, org_external_id, org_name"}
	}
	if err := r.clearOrgMapping(ctx); err != nil {
		return res, err
	}
	res.Rows, err = r.readMapping(ctx, orgMapFile, m, func() (*mappingReader, func() error, error) {
		return r.openMapping(path, userCols)
	})
	if err != nil {
		return res, err
	}
	r.SetRows("org_mapping", res.Rows)
	return res, nil
}

// StageRoleMapping reads a role-mapping file into the run's mapping lines,
// after clearing the source's lines of earlier runs, and records their
// digests (see StageOrgMapping); ApplyRoleMapping turns them into role
// assignments.
func (r *Run) StageRoleMapping(ctx context.Context, path string, userCols []string) (MappingFile, error) {
	res := MappingFile{Path: path}
	m, closeFile, err := r.openMapping(path, userCols, "role_slug")
	if err != nil {
		return res, err
	}
	defer closeFile()
	res.UserColumns = m.cols
	if err := r.clearRoleMapping(ctx); err != nil {
		return res, err
	}
	res.Rows, err = r.readMapping(ctx, roleMapFile, m, func() (*mappingReader, func() error, error) {
		return r.openMapping(path, userCols, "role_slug")
	})
	if err != nil {
		return res, err
	}
	r.SetRows("role_mapping", res.Rows)
	return res, nil
}
