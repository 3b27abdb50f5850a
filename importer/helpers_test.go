package importer_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

const testKey = "sk_test_importer"

// stage writes staging rows directly, as an ingest would leave them, so the
// importer's tests do not depend on any source's parser.
type stage struct {
	t     testing.TB
	db    *staging.DB
	runID int64
	rows  int
}

func newStage(t testing.TB) *stage {
	t.Helper()
	db, err := staging.Open(context.Background(), filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := db.Exec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('test', ?)`, staging.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return &stage{t: t, db: db, runID: id}
}

func (s *stage) exec(q string, args ...any) int64 {
	s.t.Helper()
	res, err := s.db.Exec(q, args...)
	if err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// A bcrypt digest the emulator accepts.
const bcryptHash = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"

type userSpec struct {
	sourceID, email, first, last, externalID, hash, hashType string
}

func (s *stage) user(u userSpec) int64 {
	s.t.Helper()
	s.rows++
	if u.sourceID == "" {
		u.sourceID = fmt.Sprintf("user_%d", s.rows)
	}
	if u.hash == "" && u.hashType == "" {
		u.hash, u.hashType = bcryptHash, "bcrypt"
	}
	hash := fmt.Sprintf("%s|%s|%s|%s|%s", u.email, u.first, u.last, u.externalID, u.hash)
	return s.exec(`INSERT INTO users (source, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
		email_raw, email, first_name, last_name, email_verified, password_hash, password_hash_type, external_id, raw, content_hash)
		VALUES ('test', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, nullif(?, ''), nullif(?, ''), nullif(?, ''), '{}', ?)`,
		u.sourceID, s.runID, s.runID, s.runID, s.rows, u.email, u.email, u.first, u.last, u.hash, u.hashType, u.externalID, hash)
}

// org stages an organization; key decides its resolution like the mapping
// priority rule: id:, ext: (with a name: external_id_create) or name:.
func (s *stage) org(resolution, workosID, externalID, name string) int64 {
	s.t.Helper()
	key := map[string]string{"org_id": "id:" + workosID, "external_id": "ext:" + externalID,
		"external_id_create": "ext:" + externalID, "name": "name:" + name}[resolution]
	return s.exec(`INSERT INTO organizations (org_key, resolution, workos_org_id, external_id, name, source)
		VALUES (?, ?, nullif(?, ''), nullif(?, ''), nullif(?, ''), 'test')`, key, resolution, workosID, externalID, name)
}

func (s *stage) member(userID, orgID int64, roles ...string) int64 {
	s.t.Helper()
	id := s.exec(`INSERT INTO memberships (user_id, organization_id, source) VALUES (?, ?, 'test')`, userID, orgID)
	for _, r := range roles {
		s.exec(`INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source) VALUES (?, ?, ?, ?, 'test')`,
			userID, r, orgID, fmt.Sprint(orgID))
	}
	return id
}

func (s *stage) permission(slug string) int64 {
	return s.exec(`INSERT INTO permissions (slug, name, source) VALUES (?, ?, 'test')`, slug, slug)
}

func (s *stage) role(slug, perms string, orgID int64) int64 {
	typ, scope := "environment", ""
	var org any
	if orgID != 0 {
		typ, scope, org = "organization", fmt.Sprint(orgID), orgID
	}
	return s.exec(`INSERT INTO roles (slug, name, type, permissions, organization_id, scope_key, source) VALUES (?, ?, ?, ?, ?, ?, 'test')`,
		slug, slug, typ, perms, org, scope)
}

func (s *stage) totp(userID int64, secret string) int64 {
	return s.exec(`INSERT INTO totp_secrets (user_id, secret, issuer, source) VALUES (?, ?, 'Acme', 'test')`, userID, secret)
}

// emulator serves a fresh emulator on 127.0.0.1.
func emulator(t testing.TB, o workosemu.Options) (*workosemu.Server, string) {
	t.Helper()
	if o.RateLimits == "" {
		o.RateLimits = workosemu.RateLimitsOff
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	emu, err := workosemu.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(emu)
	t.Cleanup(func() { ts.Close(); emu.Close() })
	return emu, ts.URL
}

func opts(url string) importer.Options {
	o := importer.Options{Endpoint: url, APIKey: testKey, Concurrency: 4, RateLimit: -1}
	importer.SetBackoff(&o, time.Millisecond)
	return o
}

type itemRow struct {
	Entity  string `db:"entity"`
	Status  string `db:"status"`
	Outcome string `db:"outcome"`
	Code    string `db:"error_code"`
	N       int    `db:"n"`
}

// items counts import rows by entity, status, outcome and code.
func (s *stage) items() map[string]int {
	s.t.Helper()
	var rows []itemRow
	if err := s.db.Select(&rows, `SELECT entity, status, coalesce(outcome, '') AS outcome, coalesce(error_code, '') AS error_code, count(*) AS n
		FROM import_items GROUP BY 1, 2, 3, 4`); err != nil {
		s.t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		k := r.Entity + " " + r.Status
		if r.Outcome != "" {
			k += " " + r.Outcome
		}
		if r.Code != "" {
			k += " " + r.Code
		}
		out[k] = r.N
	}
	return out
}
