package pkgcontract_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/pkgcontract"
)

// TestReadManifest checks each way a manifest can depart from the contract
// is named, with its severity and field, and that a good one has no issue.
func TestReadManifest(t *testing.T) {
	good, err := os.ReadFile("../testdata/packages/handbuilt-sso/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new        string
		code, severity, field string
	}{
		{"good", "", "", "", "", ""},
		{"schema version 2", `"schemaVersion": 1`, `"schemaVersion": 2`, "unsupported_schema_version", "error", "schemaVersion"},
		{"generatedAt not a time", `"2026-04-29T00:00:00.000Z"`, `"yesterday"`, "manifest_field_invalid", "error", "generatedAt"},
		{"secretsRedacted not a boolean", `"secretsRedacted": false`, `"secretsRedacted": "no"`, "manifest_field_invalid", "error", "secretsRedacted"},
		{"file key at another path", `"users": "users.csv"`, `"users": "people.csv"`, "noncanonical_file_path", "error", "files.users"},
		{"path outside the package", `"handoffNotes": "sso/handoff_notes.md"`, `"handoffNotes": "../notes.md"`, "unsafe_file_path", "error", "files.handoffNotes"},
		{"unknown count", `"users": 3,`, `"users": 3, "people": 3,`, "unknown_count", "warning", "entitiesExported.people"},
		{"negative count", `"users": 3,`, `"users": -3,`, "manifest_field_invalid", "error", "entitiesExported.users"},
		{"provider missing", `"provider": "csv",`, ``, "manifest_field_missing", "error", "provider"},
		{"not JSON", `{`, `[`, "manifest_invalid", "error", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := string(good)
			if c.old != "" {
				if !strings.Contains(text, c.old) {
					t.Fatalf("manifest has no %q", c.old)
				}
				text = strings.Replace(text, c.old, c.new, 1)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, pkgcontract.ManifestPath), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			m, issues := pkgcontract.ReadManifest(dir)
			if c.code == "" {
				if len(issues) > 0 || m == nil || m.Provider != "csv" {
					t.Fatalf("want a clean manifest of provider csv, got %+v", issues)
				}
				return
			}
			for _, is := range issues {
				if is.Code == c.code && is.Severity == c.severity && is.Field == c.field && is.File == pkgcontract.ManifestPath {
					return
				}
			}
			t.Errorf("no %s %s on %q; got %+v", c.severity, c.code, c.field, issues)
		})
	}
	if m, issues := pkgcontract.ReadManifest(t.TempDir()); m != nil || len(issues) != 1 || issues[0].Code != "manifest_missing" {
		t.Errorf("no manifest: got %v, %+v", m, issues)
	}
}

// TestHeaderAccepted: the canonical header and the later SAML variant are
// accepted, a reordered one is not.
func TestHeaderAccepted(t *testing.T) {
	users, _ := pkgcontract.FileByKey("users")
	if !users.HeaderAccepted(users.Header) {
		t.Error("the users header is not accepted")
	}
	swapped := append([]string{users.Header[1], users.Header[0]}, users.Header[2:]...)
	if users.HeaderAccepted(swapped) {
		t.Error("a reordered users header is accepted")
	}
	saml, _ := pkgcontract.FileByKey("samlConnections")
	later := append(append([]string{}, saml.Header[:18]...), "requestSigningCert", "assertionEncryptionKey", "assertionEncryptionCert",
		"nameIdEncryptionKey", "externalId", "connectionType")
	if !saml.HeaderAccepted(later) {
		t.Error("the later SAML header is not accepted")
	}
	if pkgcontract.Path("memberships") != "organization_memberships.csv" {
		t.Error("memberships path")
	}
}
