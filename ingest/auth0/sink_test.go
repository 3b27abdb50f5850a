package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
)

// recorded is what a sink was handed.
type recorded struct {
	Users    []*ingest.User
	Skips    []skip
	Warnings []ingest.Warning
	OrgRows  []ingest.OrgMappingRow
	RoleRows []ingest.RoleMappingRow
	Orgs     []ingest.Organization
	Roles    []ingest.RoleDefinition
	SSO      []ingest.SSOConnection
}

type skip struct {
	File, SourceID, Email, Reason string
	Row                           int
}

func (r *recorded) add(o recorded) {
	r.Users = append(r.Users, o.Users...)
	r.Skips = append(r.Skips, o.Skips...)
	r.Warnings = append(r.Warnings, o.Warnings...)
	r.OrgRows = append(r.OrgRows, o.OrgRows...)
	r.RoleRows = append(r.RoleRows, o.RoleRows...)
	r.Orgs = append(r.Orgs, o.Orgs...)
	r.Roles = append(r.Roles, o.Roles...)
	r.SSO = append(r.SSO, o.SSO...)
}

// errKilled stands for the process dying mid-fetch.
var errKilled = errors.New("killed")

// sink records what a fetch hands over the way the source kit stores it:
// records wait in pending until a checkpoint arrives, then they and the
// checkpoint are committed together. What is pending when the fetch dies
// is lost, as an uncommitted transaction is.
type sink struct {
	mu        sync.Mutex
	pending   recorded
	committed recorded
	last      auth0.Checkpoint
	saves     int
	// killAt makes the n-th call that hands a record of the kind fail with
	// errKilled (0: never).
	killKind string
	killAt   int
	calls    map[string]int
}

func (s *sink) hit(kind string) error {
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[kind]++
	if kind == s.killKind && s.calls[kind] == s.killAt {
		return errKilled
	}
	return nil
}

func (s *sink) AddUser(_ context.Context, _ string, u *ingest.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.hit("user"); err != nil {
		return err
	}
	s.pending.Users = append(s.pending.Users, u)
	return nil
}

func (s *sink) Skip(_ context.Context, file string, row int, sourceID, email, reason string, _ any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.hit("user"); err != nil {
		return err
	}
	s.pending.Skips = append(s.pending.Skips, skip{File: file, Row: row, SourceID: sourceID, Email: email, Reason: reason})
	return nil
}

func (s *sink) Warn(_ context.Context, w ingest.Warning) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.Warnings = append(s.pending.Warnings, w)
	return nil
}

func (s *sink) AddOrgMappingRow(_ context.Context, _ string, m ingest.OrgMappingRow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.hit("member"); err != nil {
		return err
	}
	s.pending.OrgRows = append(s.pending.OrgRows, m)
	return nil
}

func (s *sink) AddRoleMappingRow(_ context.Context, _ string, m ingest.RoleMappingRow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.RoleRows = append(s.pending.RoleRows, m)
	return nil
}

func (s *sink) AddOrganization(_ context.Context, _ string, o ingest.Organization) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.Orgs = append(s.pending.Orgs, o)
	return nil
}

func (s *sink) AddRoleDefinition(_ context.Context, _ string, r ingest.RoleDefinition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.Roles = append(s.pending.Roles, r)
	return nil
}

func (s *sink) AddSSOConnection(_ context.Context, _ string, c ingest.SSOConnection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.SSO = append(s.pending.SSO, c)
	return nil
}

// commit is the fetch's onCheckpoint. A checkpoint that counts a
// once-per-run warning as given while the warning is not in what it
// commits would lose the warning on a resume: commit refuses it.
func (s *sink) commit(cp auth0.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range cp.Warned {
		found := false
		for _, w := range append(s.committed.Warnings, s.pending.Warnings...) {
			if key, ok := strings.CutPrefix(k, "json:"); ok && w.Code == "metadata_value_json" && strings.HasPrefix(w.Message, key+" is") || w.Code == k {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("checkpoint counts warning %s as given, but it was not handed over", k)
		}
	}
	s.committed.add(s.pending)
	s.pending = recorded{}
	s.last = cp
	s.saves++
	return nil
}

// die drops what was not committed, as a killed process loses its open
// transaction.
func (s *sink) die() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = recorded{}
	s.killKind, s.killAt = "", 0
}

var _ ingest.DefinitionSink = (*sink)(nil)

// noDuplicates fails the test when a record was committed twice.
func noDuplicates(t *testing.T, r recorded) {
	t.Helper()
	seen := map[string]bool{}
	check := func(kind, key string) {
		if seen[kind+" "+key] {
			t.Errorf("%s %s handed over twice", kind, key)
		}
		seen[kind+" "+key] = true
	}
	for _, u := range r.Users {
		check("user", u.SourceID)
	}
	for _, s := range r.Skips {
		check("user", s.SourceID)
	}
	for _, m := range r.OrgRows {
		check("membership", m.SourceUserID+" in "+m.OrgExternalID+m.OrgName)
	}
	for _, m := range r.RoleRows {
		check("role assignment", m.SourceUserID+" "+m.RoleSlug+" in "+m.OrgExternalID)
	}
	for _, o := range r.Orgs {
		check("organization", o.ExternalID)
	}
	for _, ro := range r.Roles {
		check("role", ro.Slug)
	}
	for _, c := range r.SSO {
		check("connection", c.SourceID)
	}
	for _, w := range r.Warnings {
		check("warning", fmt.Sprintf("%s %s %s %d %s", w.Code, w.SourceID, w.File, w.Row, w.Message))
	}
}

// vclock is a virtual clock: Sleep moves it forward at once and records
// how long was asked for.
type vclock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *vclock { return &vclock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.sleeps = append(c.sleeps, d)
	}
	return ctx.Err()
}

func (c *vclock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
