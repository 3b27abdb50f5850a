package migpackage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/migpackage"
)

const handbuilt = "../../testdata/packages/handbuilt-sso"

func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o600)
}

func appendLine(t *testing.T, dir, rel, line string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line + "\n")
	f.Close()
}

// TestCheck: each way a package can break the contract, or what only the
// package as files tells, is one issue with its code, severity and place;
// the hand-built package meets the contract.
func TestCheck(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(t *testing.T, dir string)
		code     string
		severity string // of the issue with code
		file     string
		line     int
	}{
		{"valid package", func(t *testing.T, dir string) {}, "", "", "", 0},
		{"no manifest", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "manifest.json")) },
			"manifest_missing", "error", "manifest.json", 0},
		{"schema version 2", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"schemaVersion": 1`, `"schemaVersion": 2`)
		}, "unsupported_schema_version", "error", "manifest.json", 0},
		{"listed file missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "totp_secrets.csv")) },
			"missing_file", "error", "totp_secrets.csv", 0},
		{"no users.csv", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "users.csv")) },
			"missing_file", "error", "users.csv", 0},
		{"header out of order", func(t *testing.T, dir string) {
			edit(t, dir, "organizations.csv", "org_id,org_external_id", "org_external_id,org_id")
		}, "invalid_csv_header", "error", "organizations.csv", 1},
		{"empty file", func(t *testing.T, dir string) { writeFile(t, dir, "role_definitions.csv", "") },
			"missing_csv_header", "error", "role_definitions.csv", 1},
		{"count disagrees with the manifest", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"memberships": 4`, `"memberships": 5`)
		}, "entity_count_mismatch", "error", "organization_memberships.csv", 0},
		{"quoted newline counts as one record", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "Grace,Hopper", "\"Grace\nMarie\",Hopper")
		}, "", "", "", 0},
		{"ragged row", func(t *testing.T, dir string) { appendLine(t, dir, "totp_secrets.csv", "x@acme.test,JBSWY3DPEHPK3PXP") },
			"csv_field_count", "error", "totp_secrets.csv", 3},
		{"bare quote", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "Grace,Hopper", `Gr"ace,Hopper`) },
			"csv_parse_failed", "error", "users.csv", 3},
		{"invalid UTF-8", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "Grace,Hopper", "Gr\xffce,Hopper") },
			"invalid_utf8", "error", "users.csv", 3},
		{"bad JSONL", func(t *testing.T, dir string) { appendLine(t, dir, "warnings.jsonl", "{not json") },
			"jsonl_parse_failed", "error", "warnings.jsonl", 2},
		{"users.csv readable by others", func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, "users.csv"), 0o644) },
			"file_permissions", "warning", "users.csv", 0},
		{"role_slugs without an organization", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "u-3,,org_01GLOBEX,,,", "u-3,,,,,viewer")
		}, "role_slugs_without_org", "warning", "users.csv", 4},
		{"organization domain", func(t *testing.T, dir string) { edit(t, dir, "organizations.csv", "globex.test", "globex") },
			"invalid_domain", "error", "organizations.csv", 3},
		{"organization metadata too long", func(t *testing.T, dir string) {
			edit(t, dir, "organizations.csv", `""gold""`, `""`+strings.Repeat("g", 601)+`""`)
		}, "metadata_value_too_long", "error", "organizations.csv", 2},
		{"membership without organization", func(t *testing.T, dir string) {
			edit(t, dir, "organization_memberships.csv", "linus@globex.test,u-3,,org_01GLOBEX,,Globex", "linus@globex.test,u-3,,,,")
		}, "missing_organization", "error", "organization_memberships.csv", 5},
		{"membership listed twice", func(t *testing.T, dir string) {
			appendLine(t, dir, "organization_memberships.csv", "linus@globex.test,u-3,,org_01GLOBEX,,Globex,,")
		}, "duplicate_membership", "warning", "organization_memberships.csv", 0},
		{"permission slug", func(t *testing.T, dir string) { edit(t, dir, "role_definitions.csv", "users:read", "users read") },
			"invalid_permission", "error", "role_definitions.csv", 3},
		{"two TOTP rows for one email", func(t *testing.T, dir string) {
			appendLine(t, dir, "totp_secrets.csv", "ada@acme.test,KRSXG5CTMVRXEZLU,Acme,ada@acme.test")
		}, "duplicate_totp", "warning", "totp_secrets.csv", 3},
		{"secret in a redacted package", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"secretsRedacted": false`, `"secretsRedacted": true`)
		}, "secret_in_redacted_package", "error", "sso/oidc_connections.csv", 2},
		{"proxy route protocol", func(t *testing.T, dir string) { edit(t, dir, "sso/proxy_routes.csv", ",saml,", ",ldap,") },
			"invalid_protocol", "error", "sso/proxy_routes.csv", 2},
		{"upload membership of an unknown user", func(t *testing.T, dir string) {
			appendLine(t, dir, "workos_upload/organization_memberships.csv", "org_01GLOBEX,user_nobody")
		}, "unknown_user", "error", "workos_upload/organization_memberships.csv", 2},
		// No rule sees the upload files' users: their addresses are judged
		// here, by accept.Email, an error only when WorkOS rejects one.
		{"upload user with a rejected address", func(t *testing.T, dir string) {
			appendLine(t, dir, "workos_upload/users.csv", "user_1,linus..t@globex.test,true,,,")
			setCount(t, dir, "uploadUsers", 1)
		}, "invalid_email", "error", "workos_upload/users.csv", 2},
		{"upload user whose address WorkOS may take", func(t *testing.T, dir string) {
			appendLine(t, dir, "workos_upload/users.csv", "user_1,zoë.1@globex.test,true,,,")
			setCount(t, dir, "uploadUsers", 1)
		}, "", "", "", 0},
		{"upload user with email_verified maybe", func(t *testing.T, dir string) {
			appendLine(t, dir, "workos_upload/users.csv", "user_1,linus@globex.test,maybe,,,")
			setCount(t, dir, "uploadUsers", 1)
		}, "invalid_boolean", "error", "workos_upload/users.csv", 2},
		{"later SAML header is accepted", func(t *testing.T, dir string) {
			edit(t, dir, "sso/saml_connections.csv", "requestSigningKey,assertionEncryptionKey,nameIdEncryptionKey,externalId",
				"requestSigningKey,requestSigningCert,assertionEncryptionKey,assertionEncryptionCert,nameIdEncryptionKey,externalId,connectionType")
			edit(t, dir, "sso/saml_connections.csv", "-----BEGIN PRIVATE KEY-----xyz,,,saml-acme", "-----BEGIN PRIVATE KEY-----xyz,,,,,saml-acme,OktaSAML")
		}, "", "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyPackage(t, handbuilt)
			c.mutate(t, dir)
			rep := migpackage.NewReport(dir, 0)
			if err := migpackage.Check(context.Background(), rep, migpackage.CheckOptions{}); err != nil {
				t.Fatal(err)
			}
			if c.code == "" {
				if !rep.Importable() || rep.Errors+rep.Warnings > 0 {
					t.Fatalf("want a clean report, got %+v", rep.Issues)
				}
				return
			}
			for _, is := range rep.Issues {
				if is.Code == c.code && is.Severity == c.severity && is.File == c.file && is.Line == c.line {
					if rep.Importable() != (rep.Errors == 0) || (c.severity == "error" && rep.Importable()) {
						t.Errorf("importable = %v with %d errors", rep.Importable(), rep.Errors)
					}
					return
				}
			}
			t.Errorf("no %s %s at %s:%d; got %+v", c.severity, c.code, c.file, c.line, rep.Issues)
		})
	}
}

// TestCheckReadsPastBadRecords: a record the CSV parser cannot read does
// not hide the ones after it, as the ingest reads past it too.
func TestCheckReadsPastBadRecords(t *testing.T) {
	dir := copyPackage(t, handbuilt)
	edit(t, dir, "users.csv", "Grace,Hopper", `Gr"ace,Hopper`)
	edit(t, dir, "users.csv", "Linus,,", `Li"nus,,`)
	rep := migpackage.NewReport(dir, 0)
	if err := migpackage.Check(context.Background(), rep, migpackage.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, is := range rep.Issues {
		if is.Code == "csv_parse_failed" {
			lines = append(lines, is.Line)
		}
	}
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 4 || rep.Records["users"] != 3 {
		t.Errorf("csv_parse_failed on lines %v with %d records; want lines 3 and 4 of 3 records", lines, rep.Records["users"])
	}
}
