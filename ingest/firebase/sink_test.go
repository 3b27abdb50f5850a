package firebase_test

import (
	"context"
	"sync"

	"github.com/mig-tools/mig/ingest"
)

// recorder is a DefinitionSink that keeps what it is given, for tests.
// onUser, when set, is called with every user handed over.
type recorder struct {
	onUser   func(*ingest.User)
	mu       sync.Mutex
	users    []*ingest.User
	skips    []skip
	warnings []ingest.Warning
	orgRows  []ingest.OrgMappingRow
	orgs     []ingest.Organization
	conns    []ingest.SSOConnection
	files    map[string]bool
}

type skip struct {
	file, sourceID, email, reason string
	row                           int
}

func (r *recorder) seen(file string) {
	if r.files == nil {
		r.files = map[string]bool{}
	}
	r.files[file] = true
}

func (r *recorder) AddUser(_ context.Context, file string, u *ingest.User) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen(file)
	r.users = append(r.users, u)
	if r.onUser != nil {
		r.onUser(u)
	}
	return nil
}

func (r *recorder) Skip(_ context.Context, file string, row int, sourceID, email, reason string, _ any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen(file)
	r.skips = append(r.skips, skip{file, sourceID, email, reason, row})
	return nil
}

func (r *recorder) Warn(_ context.Context, w ingest.Warning) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, w)
	return nil
}

func (r *recorder) AddOrgMappingRow(_ context.Context, file string, m ingest.OrgMappingRow) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen(file)
	r.orgRows = append(r.orgRows, m)
	return nil
}

func (r *recorder) AddRoleMappingRow(context.Context, string, ingest.RoleMappingRow) error {
	return nil
}

func (r *recorder) AddOrganization(_ context.Context, file string, o ingest.Organization) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen(file)
	r.orgs = append(r.orgs, o)
	return nil
}

func (r *recorder) AddRoleDefinition(context.Context, string, ingest.RoleDefinition) error {
	return nil
}

func (r *recorder) AddSSOConnection(_ context.Context, file string, c ingest.SSOConnection) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen(file)
	r.conns = append(r.conns, c)
	return nil
}

// codes counts the warnings by code.
func (r *recorder) codes() map[string]int {
	m := map[string]int{}
	for _, w := range r.warnings {
		m[w.Code]++
	}
	return m
}

var _ ingest.DefinitionSink = (*recorder)(nil)
