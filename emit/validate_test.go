package emit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mig-tools/mig/emit"
)

// copyPackage copies the hand-built package into a temporary directory.
func copyPackage(t *testing.T) string {
	t.Helper()
	src := "../testdata/packages/handbuilt-sso"
	dst := filepath.Join(t.TempDir(), "pkg")
	for _, rel := range files(t, src) {
		b, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, rel)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

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

func TestValidate(t *testing.T) {
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
		{"generatedAt not a time", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"2026-04-29T00:00:00.000Z"`, `"yesterday"`)
		}, "manifest_field_invalid", "error", "manifest.json", 0},
		{"secretsRedacted not a boolean", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"secretsRedacted": false`, `"secretsRedacted": "no"`)
		}, "manifest_field_invalid", "error", "manifest.json", 0},
		{"file key at another path", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"users": "users.csv"`, `"users": "people.csv"`)
		}, "noncanonical_file_path", "error", "manifest.json", 0},
		{"path outside the package", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"handoffNotes": "sso/handoff_notes.md"`, `"handoffNotes": "../notes.md"`)
		}, "unsafe_file_path", "error", "manifest.json", 0},
		{"listed file missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "totp_secrets.csv")) },
			"missing_file", "error", "totp_secrets.csv", 0},
		{"header out of order", func(t *testing.T, dir string) {
			edit(t, dir, "organizations.csv", "org_id,org_external_id", "org_external_id,org_id")
		}, "invalid_csv_header", "error", "organizations.csv", 1},
		{"count disagrees with the manifest", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"memberships": 4`, `"memberships": 5`)
		}, "entity_count_mismatch", "error", "organization_memberships.csv", 0},
		{"quoted newline counts as one record", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "Grace,Hopper", "\"Grace\nMarie\",Hopper")
		}, "", "", "", 0},
		{"ragged row", func(t *testing.T, dir string) { appendLine(t, dir, "totp_secrets.csv", "x@acme.test,JBSWY3DPEHPK3PXP") },
			"csv_field_count", "error", "totp_secrets.csv", 3},
		{"bad JSONL", func(t *testing.T, dir string) { appendLine(t, dir, "warnings.jsonl", "{not json") },
			"jsonl_parse_failed", "error", "warnings.jsonl", 2},
		{"duplicate email", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "grace@acme.test,,,", "ADA@acme.test,,,")
		}, "duplicate_email", "error", "users.csv", 3},
		{"invalid email", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "linus@globex.test", "linus.globex.test") },
			"invalid_email", "error", "users.csv", 4},
		// The addresses accept.Email rejects, as mig check does.
		{"email with two dots in a row", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "linus@globex.test", "linus..t@globex.test") },
			"invalid_email", "error", "users.csv", 4},
		// issue 11: valid, but whether WorkOS takes it is unknown: mig
		// check's rule email_syntax_unknown warns; the contract is met.
		{"email with a non-ASCII local part", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "linus@globex.test", "zoë.1@globex.test")
			edit(t, dir, "organization_memberships.csv", "linus@globex.test", "zoë.1@globex.test")
		}, "", "", "", 0},
		{"md5 hash", func(t *testing.T, dir string) { edit(t, dir, "users.csv", ",bcrypt,", ",md5,") },
			"unsupported_password_hash_type", "error", "users.csv", 2},
		{"broken bcrypt hash", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "$2b$10$N9qo8", "$2b$10$") },
			"invalid_password_hash", "error", "users.csv", 2},
		// The contract reads bcrypt as mig check does (passhash): the cost
		// is from 04 to 31 and the variant a, b or y.
		{"bcrypt cost below 04", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "$2b$10$N9qo8", "$2b$03$N9qo8") },
			"invalid_password_hash", "error", "users.csv", 2},
		{"bcrypt variant x", func(t *testing.T, dir string) { edit(t, dir, "users.csv", "$2b$10$N9qo8", "$2x$10$N9qo8") },
			"invalid_password_hash", "error", "users.csv", 2},
		{"hash without type", func(t *testing.T, dir string) { edit(t, dir, "users.csv", ",bcrypt,", ",,") },
			"password_hash_without_type", "error", "users.csv", 2},
		{"plaintext password", func(t *testing.T, dir string) {
			edit(t, dir, "users.csv", "grace@acme.test,,", "grace@acme.test,hunter2,")
		},
			"plaintext_password", "warning", "users.csv", 3},
		{"email_verified yes", func(t *testing.T, dir string) { edit(t, dir, "users.csv", ",Hopper,false,", ",Hopper,yes,") },
			"boolean_format", "warning", "users.csv", 3},
		{"email_verified maybe", func(t *testing.T, dir string) { edit(t, dir, "users.csv", ",Hopper,false,", ",Hopper,maybe,") },
			"invalid_boolean", "error", "users.csv", 3},
		{"metadata not an object", func(t *testing.T, dir string) { edit(t, dir, "users.csv", `"{""team"":""core""}"`, `[1]`) },
			"invalid_metadata", "error", "users.csv", 2},
		// issue 11: the reference tool writes both; org_id wins, as ingest
		// and the migration guide say, and mig check's rule
		// org_mapping_both_ids warns. It is no error of the contract.
		{"org_id and org_external_id", func(t *testing.T, dir string) {
			edit(t, dir, "organization_memberships.csv", "linus@globex.test,u-3,,org_01GLOBEX,,", "linus@globex.test,u-3,,org_01GLOBEX,globex,")
			edit(t, dir, "users.csv", "u-3,,org_01GLOBEX,,", "u-3,,org_01GLOBEX,globex,")
		}, "", "", "", 0},
		{"membership to an unknown organization", func(t *testing.T, dir string) {
			edit(t, dir, "organization_memberships.csv", "grace@acme.test,u-2,,,acme,Acme Inc", "grace@acme.test,u-2,,,initech,")
		}, "unknown_organization", "error", "organization_memberships.csv", 4},
		{"membership of an unknown user", func(t *testing.T, dir string) {
			edit(t, dir, "organization_memberships.csv", "linus@globex.test,u-3", "linus@globex.test,u-4")
		}, "unknown_user", "error", "organization_memberships.csv", 5},
		{"assignment of an unknown user", func(t *testing.T, dir string) {
			edit(t, dir, "user_role_assignments.csv", "grace@acme.test,,u-2", "nobody@acme.test,,")
		}, "unknown_user", "error", "user_role_assignments.csv", 3},
		{"assigned role not defined", func(t *testing.T, dir string) {
			edit(t, dir, "user_role_assignments.csv", ",u-2,member,", ",u-2,owner,")
		}, "undefined_role", "error", "user_role_assignments.csv", 3},
		{"role defined twice", func(t *testing.T, dir string) {
			appendLine(t, dir, "role_definitions.csv", "member,Member again,environment,,,")
			edit(t, dir, "manifest.json", `"roleDefinitions": 3`, `"roleDefinitions": 4`)
		}, "duplicate_role", "error", "role_definitions.csv", 5},
		{"organization role without organization", func(t *testing.T, dir string) {
			edit(t, dir, "role_definitions.csv", "logs:read,,acme", "logs:read,,")
		}, "organization_role_without_org", "error", "role_definitions.csv", 4},
		{"TOTP of an unknown user", func(t *testing.T, dir string) {
			edit(t, dir, "totp_secrets.csv", "ada@acme.test,JB", "eve@acme.test,JB")
		},
			"unknown_user", "error", "totp_secrets.csv", 2},
		{"TOTP secret not base32", func(t *testing.T, dir string) { edit(t, dir, "totp_secrets.csv", "JBSWY3DPEHPK3PXP", "not-base32!") },
			"invalid_totp_secret", "error", "totp_secrets.csv", 2},
		{"secret in a redacted package", func(t *testing.T, dir string) {
			edit(t, dir, "manifest.json", `"secretsRedacted": false`, `"secretsRedacted": true`)
		}, "secret_in_redacted_package", "error", "sso/oidc_connections.csv", 2},
		{"proxy route of an unknown connection", func(t *testing.T, dir string) {
			edit(t, dir, "sso/proxy_routes.csv", "saml-acme,acme,cognito", "saml-other,acme,cognito")
		}, "unknown_connection", "warning", "sso/proxy_routes.csv", 2},
		{"later SAML header is accepted", func(t *testing.T, dir string) {
			edit(t, dir, "sso/saml_connections.csv", "requestSigningKey,assertionEncryptionKey,nameIdEncryptionKey,externalId",
				"requestSigningKey,requestSigningCert,assertionEncryptionKey,assertionEncryptionCert,nameIdEncryptionKey,externalId,connectionType")
			edit(t, dir, "sso/saml_connections.csv", "-----BEGIN PRIVATE KEY-----xyz,,,saml-acme", "-----BEGIN PRIVATE KEY-----xyz,,,,,saml-acme,OktaSAML")
		}, "", "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyPackage(t)
			c.mutate(t, dir)
			rep, err := emit.Validate(context.Background(), dir, emit.ValidateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if c.code == "" {
				if !rep.Importable || rep.Errors+rep.Warnings > 0 {
					t.Fatalf("want a clean report, got %+v", rep.Issues)
				}
				return
			}
			for _, is := range rep.Issues {
				if is.Code == c.code && is.Severity == c.severity && is.File == c.file && is.Line == c.line {
					if rep.Importable != (rep.Errors == 0) || (c.severity == "error" && rep.Importable) {
						t.Errorf("importable = %v with %d errors", rep.Importable, rep.Errors)
					}
					return
				}
			}
			t.Errorf("no %s %s at %s:%d; got %+v", c.severity, c.code, c.file, c.line, rep.Issues)
		})
	}
}
