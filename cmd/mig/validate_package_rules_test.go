package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/emit"
	"github.com/mig-tools/mig/pkgcontract"
)

// packageRuleCases are packages that meet the contract, each built to make
// some of mig check's rules fire (and others not).
var packageRuleCases = []struct {
	name  string
	files map[string][][]string // path -> data rows, in contract column order
}{
	{"clean", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "$2b$10$" + strings.Repeat("a", 53), "bcrypt", "Ann", "Lee", "true", "u1", `{"plan":"pro"}`, "", "ext-a", "Acme", "member"},
			{"bob@example.com", "", "", "", "Bob", "", "true", "u2", "", "", "", "", ""},
		},
		"organizations.csv":            {{"", "ext-a", "Acme", "acme.com", ""}},
		"organization_memberships.csv": {{"ann@example.com", "u1", "", "", "ext-a", "Acme", "member", ""}},
		"role_definitions.csv":         {{"member", "Member", "environment", "read", "", ""}},
		"user_role_assignments.csv":    {{"ann@example.com", "", "u1", "member", "", ""}},
		"totp_secrets.csv":             {{"ann@example.com", "JBSWY3DPEHPK3PXPJBSWY3DP", "Acme", "ann"}},
	}},
	{"user rules", map[string][][]string{
		"users.csv": {
			{"Ann@Example.com", "", "", "", "Ann", "", "false", "u1", "", "", "", "", ""},
			{"a..b@example.com", "", "", "", "\ufeffBo", "", "true", "ü2", "", "", "", "", ""},
			{"c@example.com", "pw", "", "", "", "", "true", strings.Repeat("x", 129), `{"email":"x","first_name":"y"}`, "", "", "", ""},
			{"d@example.com", "", "$argon2id$nope", "argon2", "", "", "", "u4", manyKeys(51), "", "", "", ""},
			{"e@example.com", "", "", "", "", "", "", "u5", `{"` + strings.Repeat("k", 41) + `":"v","n":1}`, "", "", "", ""},
			{"f@example.com", "", "", "", "", "", "", "u6", `{"a":"` + strings.Repeat("é", 600) + `"}`, "", "", "", ""},
		},
	}},
	{"organizations and mappings", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "", "", "", "", "true", "u1", "", "", "ext-a", "Acme", ""},
			{"bob@example.com", "", "", "", "", "", "true", "u2", "", "", "ext-a", "Acme Inc", ""},
			{"cy@example.com", "", "", "", "", "", "true", "", "", "org_1", "", "", ""},
			{"di@example.com", "", "", "", "", "", "true", "u4", "", "", "", "Beta", ""},
		},
		"organizations.csv": {{"", "ext-a", "Acme", "", ""}, {"", "ext-lonely", "", "", ""}, {"org_1", "", "One", "", ""}},
		"organization_memberships.csv": {
			{"", "", "ghost", "", "ext-a", "Acme", "", ""},
			{"cy@example.com", "", "", "org_2", "", "", "", ""},
			{"di@example.com", "u4", "", "", "ext-b", "Beta", "", ""},
		},
	}},
	{"roles", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "", "", "", "", "true", "u1", "", "", "ext-a", "Acme", "org-admin"},
			{"bob@example.com", "", "", "", "", "", "true", "u2", "", "", "ext-b", "Beta", "viewer"},
			{"cy@example.com", "", "", "", "", "", "true", "u3", "", "", "", "", ""},
		},
		"organizations.csv": {{"", "ext-a", "Acme", "", ""}, {"", "ext-b", "Beta", "", ""}},
		"organization_memberships.csv": {
			{"ann@example.com", "u1", "", "", "ext-a", "Acme", "org-admin", ""},
			{"ann@example.com", "u1", "", "", "ext-b", "Beta", "", ""},
			{"bob@example.com", "u2", "", "", "ext-b", "Beta", "viewer,Bad.Slug", ""},
		},
		"role_definitions.csv": {
			{"org-admin", "Admin", "organization", "", "", "ext-a"},
			{"Editor", "Editor", "environment", "", "", ""},
			{"lead", "Lead", "organization", "", "", "ext-b"},
			{"viewer", "Viewer", "environment", "", "", ""},
			{"Bad.Slug", "Bad", "environment", "", "", ""},
			{"ghost-role", "Ghost", "organization", "", "", "ext-a"},
		},
		"user_role_assignments.csv": {
			{"ann@example.com", "", "u1", "org-admin", "", ""},
			{"cy@example.com", "", "u3", "lead", "org_9", ""},
			{"cy@example.com", "", "u3", "ghost-role", "", ""},
		},
	}},
	{"names, ids and scopes", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "", "", "", "", "true", "u1", `{"n":1,"ok":"x"}`, "org_1", "", "One", "org-lead"},
			{"bob@example.com", "", "$2b$10$" + strings.Repeat("b", 53), "bcrypt", "", "", "true", "u2", "", "org_1", "", "Uno", ""},
			{"cy@example.com", "", "", "", "", "", "true", "u3", "", "", "ext-c", "Acme", ""},
			{"di@example.com", "", "", "", "", "", "true", "u4", "", "org_2", "", "Acme", ""},
		},
		"organizations.csv": {{"org_1", "", "One", "", ""}, {"org_2", "", "Two", "", ""}},
		"organization_memberships.csv": {
			{"", "", "u2", "org_2", "", "", "", ""},
			{"", "", "ghost", "org_2", "", "", "", ""},
		},
		"role_definitions.csv": {
			{"org-lead", "Lead", "organization", "", "org_2", ""},
			{"org-ops", "Ops", "organization", "", "", "ext-z"},
		},
		"user_role_assignments.csv": {
			{"di@example.com", "", "u4", "org-lead", "org_2", ""},
			{"cy@example.com", "", "u3", "org-ops", "", ""},
		},
	}},
	// The rules drop the role lines users.csv and organization_memberships.csv
	// make for a user user_role_assignments.csv names once that file is read
	// (FileRead); these lines would make findings were they kept.
	{"assigned users' other role lines", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "", "", "", "", "true", "u1", "", "", "ext-a", "Acme", "never-defined,Bad.Slug"},
			{"bob@example.com", "", "", "", "", "", "true", "u2", "", "", "ext-a", "Acme", "bob-only"},
			{"cy@example.com", "", "", "", "", "", "true", "", "", "", "ext-z", "Zed", "cy-role"},
		},
		"organizations.csv": {{"", "ext-a", "Acme", "", ""}},
		"organization_memberships.csv": {
			{"ann@example.com", "u1", "", "", "ext-a", "Acme", "never-defined,org-only", ""},
			{"bob@example.com", "u2", "", "", "ext-a", "Acme", "bob-too", ""},
			{"cy@example.com", "", "", "", "ext-z", "Zed", "cy-too", ""},
		},
		"user_role_assignments.csv": {
			{"ann@example.com", "", "u1", "member", "", ""},
			{"cy@example.com", "", "", "org-only", "", ""},
		},
	}},
	{"totp", map[string][][]string{
		"users.csv": {
			{"ann@example.com", "", "", "", "", "", "true", "u1", "", "", "", "", ""},
			{"bob@example.com", "", "", "", "", "", "true", "u2", "", "", "", "", ""},
		},
		"totp_secrets.csv": {
			{"ann@example.com", "JBSWY3DP", "", ""},
			{"ann@example.com", "jbsw y3dp", "", ""},
			{"bob@example.com", "JBSWY3DPEHPK3PXP====", "", ""},
			{"bob@example.com", "jbswy3dpehpk3pxp", "", ""},
		},
	}},
}

func manyKeys(n int) string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestPackageRulesMatchStagedChecks applies mig check's rules to each case
// both ways: streamed (packageRules, what validate-package does) and staged
// (the package ingested, then checks.Run: the SQL rules themselves). Every
// rule must find as much both ways.
func TestPackageRulesMatchStagedChecks(t *testing.T) {
	ctx := context.Background()
	fired := map[string]bool{}
	for _, c := range packageRuleCases {
		t.Run(c.name, func(t *testing.T) {
			dir := writePackage(t, c.files)
			rules := newPackageRules()
			rep, err := emit.Validate(ctx, dir, emit.ValidateOptions{Rules: rules})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Importable {
				t.Fatalf("the case does not meet the contract: %+v", rep.Issues)
			}
			streamed, err := rules.finish("package")
			if err != nil {
				t.Fatal(err)
			}
			// What --staged-checks does.
			staged, err := checkPackage(ctx, &env{}, dir)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, r := range streamed.Rules {
				got[r.Name] = r.Findings
			}
			for _, r := range staged.Rules {
				if got[r.Name] != r.Findings {
					t.Errorf("rule %s: streamed %d findings, staged %d: %+v", r.Name, got[r.Name], r.Findings, r.Examples)
				}
				if r.Findings > 0 {
					fired[r.Name] = true
				}
			}
		})
	}
	// Every rule either fires in some case or is listed, with its reason,
	// as one that cannot fire on a package that meets the contract.
	all, err := checks.Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		_, unreachable := unreachableRules[r.Name]
		if fired[r.Name] == unreachable {
			t.Errorf("rule %s: fired in a case %v, listed as unreachable %v", r.Name, fired[r.Name], unreachable)
		}
	}
}

// writePackage writes a package of the given data rows, every other file
// header-only, with a manifest that counts them.
func writePackage(t *testing.T, files map[string][][]string) string {
	t.Helper()
	dir := t.TempDir()
	m := pkgcontract.Manifest{SchemaVersion: 1, Provider: "package", GeneratedAt: "2026-01-01T00:00:00.000Z",
		EntitiesRequested: pkgcontract.Entities, Warnings: []string{},
		Importability: pkgcontract.Importability{Users: "automatic", Organizations: "automatic", Memberships: "automatic",
			Roles: "automatic", TOTPSecrets: "automatic", SSOConnections: "handoff"},
		SecretRedaction: pkgcontract.SecretRedaction{Mode: "not-applicable"}}
	m.Files = append(m.Files, pkgcontract.KV{Key: pkgcontract.ManifestKey, Value: pkgcontract.ManifestPath})
	for _, f := range pkgcontract.Files {
		m.Files = append(m.Files, pkgcontract.KV{Key: f.Key, Value: f.Path})
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if f.Kind() == "csv" {
			w := csv.NewWriter(&b)
			w.Write(f.Header)
			w.WriteAll(files[f.Path])
			m.EntitiesExported.Set(f.Key, len(files[f.Path]))
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, pkgcontract.ManifestPath), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
