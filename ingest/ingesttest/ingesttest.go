// Package ingesttest helps test a source's decoder without a database: a
// Recorder is a DefinitionSink that keeps what it is handed, and Files
// opens input files as a run would. A source's tests call its decoder
// with both and look at what was recorded.
package ingesttest

import (
	"context"
	"os"
	"sync"

	"github.com/mig-tools/mig/ingest"
)

// Skip is a row a decoder skipped, with its reason.
type Skip struct {
	File, SourceID, Email, Reason string
	Row                           int
	Raw                           any
}

// Recorder keeps every record handed to it, in order per kind. It is safe
// for use by several goroutines. Err, when set, is returned by every call,
// to test how a decoder stops when the run fails.
type Recorder struct {
	mu          sync.Mutex
	Users       []*ingest.User
	Skips       []Skip
	Warnings    []ingest.Warning
	OrgRows     []ingest.OrgMappingRow
	RoleRows    []ingest.RoleMappingRow
	Orgs        []ingest.Organization
	Roles       []ingest.RoleDefinition
	Connections []ingest.SSOConnection
	// Files are the files (or API resources) the records named.
	Files map[string]bool
	Err   error
}

func (r *Recorder) record(file string, fn func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Files == nil {
		r.Files = map[string]bool{}
	}
	if file != "" {
		r.Files[file] = true
	}
	fn()
	return r.Err
}

// AddUser records u.
func (r *Recorder) AddUser(_ context.Context, file string, u *ingest.User) error {
	return r.record(file, func() { r.Users = append(r.Users, u) })
}

// Skip records a skipped row.
func (r *Recorder) Skip(_ context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	return r.record(file, func() { r.Skips = append(r.Skips, Skip{file, sourceID, email, reason, row, raw}) })
}

// Warn records a warning.
func (r *Recorder) Warn(_ context.Context, w ingest.Warning) error {
	return r.record(w.File, func() { r.Warnings = append(r.Warnings, w) })
}

// AddOrgMappingRow records a membership line.
func (r *Recorder) AddOrgMappingRow(_ context.Context, file string, m ingest.OrgMappingRow) error {
	return r.record(file, func() { r.OrgRows = append(r.OrgRows, m) })
}

// AddRoleMappingRow records a role line.
func (r *Recorder) AddRoleMappingRow(_ context.Context, file string, m ingest.RoleMappingRow) error {
	return r.record(file, func() { r.RoleRows = append(r.RoleRows, m) })
}

// AddOrganization records an organization.
func (r *Recorder) AddOrganization(_ context.Context, file string, o ingest.Organization) error {
	return r.record(file, func() { r.Orgs = append(r.Orgs, o) })
}

// AddRoleDefinition records a role definition.
func (r *Recorder) AddRoleDefinition(_ context.Context, file string, d ingest.RoleDefinition) error {
	return r.record(file, func() { r.Roles = append(r.Roles, d) })
}

// AddSSOConnection records a connection.
func (r *Recorder) AddSSOConnection(_ context.Context, file string, c ingest.SSOConnection) error {
	return r.record(file, func() { r.Connections = append(r.Connections, c) })
}

// Codes counts the recorded warnings by code.
func (r *Recorder) Codes() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]int{}
	for _, w := range r.Warnings {
		m[w.Code]++
	}
	return m
}

var _ ingest.DefinitionSink = (*Recorder)(nil)

// Files opens input files as a run does (ingest.Inputs), within Limits,
// without copying standard input.
type Files struct{ Limits ingest.Limits }

// Open opens the file.
func (f Files) Open(path string) (*os.File, error) { return os.Open(path) }

// OpenCSV opens the file as CSV.
func (f Files) OpenCSV(path string) (*os.File, *ingest.CSVReader, error) {
	return open(path, func(fh *os.File) (*ingest.CSVReader, error) { return ingest.NewLimitedCSVReader(path, fh, f.Limits) })
}

// OpenNDJSON opens the file as NDJSON.
func (f Files) OpenNDJSON(path string) (*os.File, *ingest.NDJSONReader, error) {
	return open(path, func(fh *os.File) (*ingest.NDJSONReader, error) { return ingest.NewNDJSONReader(path, fh, f.Limits) })
}

// OpenJSONArray opens the file as a JSON array, top-level or under key.
func (f Files) OpenJSONArray(path, key string) (*os.File, *ingest.JSONArrayReader, error) {
	return open(path, func(fh *os.File) (*ingest.JSONArrayReader, error) {
		return ingest.NewJSONArrayReader(path, fh, key, f.Limits)
	})
}

func open[T any](path string, wrap func(*os.File) (T, error)) (*os.File, T, error) {
	fh, err := os.Open(path)
	if err != nil {
		var zero T
		return nil, zero, err
	}
	r, err := wrap(fh)
	if err != nil {
		fh.Close()
		return nil, r, err
	}
	return fh, r, nil
}

var _ ingest.Inputs = Files{}
