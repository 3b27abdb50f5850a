package pkgcontract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Manifest is manifest.json, its fields in the contract's order.
type Manifest struct {
	SchemaVersion     int             `json:"schemaVersion"`
	Provider          string          `json:"provider"`
	SourceTenant      string          `json:"sourceTenant,omitempty"`
	GeneratedAt       string          `json:"generatedAt"`
	EntitiesRequested []string        `json:"entitiesRequested"`
	EntitiesExported  Counts          `json:"entitiesExported"`
	Files             OrderedStrings  `json:"files"`
	Importability     Importability   `json:"importability"`
	SecretsRedacted   bool            `json:"secretsRedacted"`
	SecretRedaction   SecretRedaction `json:"secretRedaction"`
	Warnings          []string        `json:"warnings"`
}

// Counts are the records of each counted file, in contract order.
type Counts struct {
	Users                   int `json:"users"`
	Organizations           int `json:"organizations"`
	Memberships             int `json:"memberships"`
	RoleDefinitions         int `json:"roleDefinitions"`
	UserRoleAssignments     int `json:"userRoleAssignments"`
	TOTPSecrets             int `json:"totpSecrets"`
	SAMLConnections         int `json:"samlConnections"`
	OIDCConnections         int `json:"oidcConnections"`
	CustomAttributeMappings int `json:"customAttributeMappings"`
	ProxyRoutes             int `json:"proxyRoutes"`
	UploadUsers             int `json:"uploadUsers"`
	UploadOrganizations     int `json:"uploadOrganizations"`
	UploadMemberships       int `json:"uploadMemberships"`
	Warnings                int `json:"warnings"`
	SkippedUsers            int `json:"skippedUsers"`
}

// Set stores n under a manifest key.
func (c *Counts) Set(key string, n int) {
	if p := c.ptr(key); p != nil {
		*p = n
	}
}

// Get returns the count under a manifest key.
func (c *Counts) Get(key string) int {
	if p := c.ptr(key); p != nil {
		return *p
	}
	return 0
}

func (c *Counts) ptr(key string) *int {
	switch key {
	case "users":
		return &c.Users
	case "organizations":
		return &c.Organizations
	case "memberships":
		return &c.Memberships
	case "roleDefinitions":
		return &c.RoleDefinitions
	case "userRoleAssignments":
		return &c.UserRoleAssignments
	case "totpSecrets":
		return &c.TOTPSecrets
	case "samlConnections":
		return &c.SAMLConnections
	case "oidcConnections":
		return &c.OIDCConnections
	case "customAttributeMappings":
		return &c.CustomAttributeMappings
	case "proxyRoutes":
		return &c.ProxyRoutes
	case "uploadUsers":
		return &c.UploadUsers
	case "uploadOrganizations":
		return &c.UploadOrganizations
	case "uploadMemberships":
		return &c.UploadMemberships
	case "warnings":
		return &c.Warnings
	case "skippedUsers":
		return &c.SkippedUsers
	}
	return nil
}

// Importability says which entities import-package creates by itself.
type Importability struct {
	Users          string `json:"users"`
	Organizations  string `json:"organizations"`
	Memberships    string `json:"memberships"`
	Roles          string `json:"roles"`
	TOTPSecrets    string `json:"totpSecrets"`
	SSOConnections string `json:"ssoConnections"`
}

// SecretRedaction records whether SSO secrets are in the package.
type SecretRedaction struct {
	Mode           string   `json:"mode"` // redacted, included, not-applicable
	Redacted       bool     `json:"redacted"`
	RedactedFields []string `json:"redactedFields,omitempty"`
	Files          []string `json:"files,omitempty"`
	Notes          []string `json:"notes,omitempty"`
}

// OrderedStrings is a JSON object whose keys keep their order, so that the
// manifest is byte-for-byte the same on every run.
type OrderedStrings []KV

// KV is one key of an OrderedStrings.
type KV struct{ Key, Value string }

// Get returns the value of key.
func (o OrderedStrings) Get(key string) (string, bool) {
	for _, kv := range o {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// MarshalJSON writes the keys in order.
func (o OrderedStrings) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, kv := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(kv.Key)
		v, _ := json.Marshal(kv.Value)
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an object of strings, keeping the order of the text.
func (o *OrderedStrings) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("must be an object")
	}
	*o = nil
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("files.%s must be a string", kt)
		}
		*o = append(*o, KV{Key: kt.(string), Value: s})
	}
	return nil
}

// Severities of an Issue. An error makes a package not importable.
const (
	Error   = "error"
	Warning = "warning"
)

// Issue is one way a package departs from the contract, or from what an
// import of it needs.
type Issue struct {
	Severity string `json:"severity"` // Error or Warning
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
}

// ReadManifest reads dir's manifest.json and checks it against the
// contract: required fields and their types, the schema version, the
// canonical path of every file it names, and the counts it declares. It
// returns what it could read (nil when the file is missing or not a JSON
// object) and every issue found.
func ReadManifest(dir string) (*Manifest, []Issue) {
	var issues []Issue
	add := func(sev, code, field, format string, args ...any) {
		issues = append(issues, Issue{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...), File: ManifestPath, Field: field})
	}
	b, err := os.ReadFile(filepath.Join(dir, ManifestPath))
	if err != nil {
		add(Error, "manifest_missing", "", "cannot read manifest.json: %v", errors.Unwrap(err))
		return nil, issues
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		add(Error, "manifest_invalid", "", "manifest.json is not a JSON object: %v", err)
		return nil, issues
	}
	m := &Manifest{}
	field := func(name string, dst any, required bool, what string) bool {
		rv, ok := raw[name]
		if !ok {
			if required {
				add(Error, "manifest_field_missing", name, "manifest.%s is missing (%s)", name, what)
			}
			return false
		}
		if err := json.Unmarshal(rv, dst); err != nil {
			add(Error, "manifest_field_invalid", name, "manifest.%s must be %s", name, what)
			return false
		}
		return true
	}
	var version json.Number
	if field("schemaVersion", &version, true, "the number 1") && version.String() != "1" {
		add(Error, "unsupported_schema_version", "schemaVersion", "schemaVersion is %s; the contract is version 1", version)
	}
	m.SchemaVersion = SchemaVersion
	if field("provider", &m.Provider, true, "a non-empty string") && strings.TrimSpace(m.Provider) == "" {
		add(Error, "manifest_field_invalid", "provider", "manifest.provider must be a non-empty string")
	}
	field("sourceTenant", &m.SourceTenant, false, "a string")
	if field("generatedAt", &m.GeneratedAt, true, "an ISO 8601 timestamp string") {
		if _, err := time.Parse(time.RFC3339Nano, m.GeneratedAt); err != nil {
			add(Error, "manifest_field_invalid", "generatedAt", "generatedAt %q is not an ISO 8601 timestamp", m.GeneratedAt)
		}
	}
	if field("entitiesRequested", &m.EntitiesRequested, true, "an array of strings") {
		for _, e := range m.EntitiesRequested {
			if !slices.Contains(Entities, e) && e != "totpSecrets" {
				add(Warning, "unknown_entity", "entitiesRequested", "entitiesRequested names %q, which is not one of %s", e, strings.Join(Entities, ", "))
			}
		}
	}
	var exported map[string]json.Number
	if field("entitiesExported", &exported, true, "an object of non-negative integer counts") {
		for _, k := range sortedKeys(exported) {
			i, err := exported[k].Int64()
			if err != nil || i < 0 {
				add(Error, "manifest_field_invalid", "entitiesExported."+k, "entitiesExported.%s must be a non-negative integer", k)
				continue
			}
			if f, ok := FileByKey(k); !ok || !f.Counted {
				add(Warning, "unknown_count", "entitiesExported."+k, "entitiesExported.%s is not a count the contract knows", k)
				continue
			}
			m.EntitiesExported.Set(k, int(i))
		}
	}
	if field("files", &m.Files, true, "an object of relative paths") {
		for _, kv := range m.Files {
			switch {
			case kv.Value == "" || path.IsAbs(kv.Value) || strings.HasPrefix(path.Clean(strings.ReplaceAll(kv.Value, `\`, "/")), ".."):
				add(Error, "unsafe_file_path", "files."+kv.Key, "files.%s = %q must be a relative path inside the package", kv.Key, kv.Value)
			case kv.Key == ManifestKey:
				if kv.Value != ManifestPath {
					add(Error, "noncanonical_file_path", "files."+kv.Key, "files.%s must be %q", kv.Key, ManifestPath)
				}
			default:
				f, ok := FileByKey(kv.Key)
				if !ok {
					add(Warning, "unknown_file_key", "files."+kv.Key, "files.%s is not a file of the contract", kv.Key)
				} else if kv.Value != f.Path {
					add(Error, "noncanonical_file_path", "files."+kv.Key, "files.%s is %q; the contract puts it at %q", kv.Key, kv.Value, f.Path)
				}
			}
		}
	}
	var imp map[string]string
	if field("importability", &imp, true, "an object") {
		for _, k := range sortedKeys(imp) {
			if val := imp[k]; !slices.Contains([]string{"automatic", "handoff", "manual", "unsupported"}, val) {
				add(Warning, "manifest_field_invalid", "importability."+k, "importability.%s is %q, not automatic, handoff, manual or unsupported", k, val)
			}
		}
	}
	field("secretsRedacted", &m.SecretsRedacted, true, "a boolean")
	if field("secretRedaction", &m.SecretRedaction, false, "an object") {
		if !slices.Contains([]string{"redacted", "included", "not-applicable"}, m.SecretRedaction.Mode) {
			add(Error, "manifest_field_invalid", "secretRedaction.mode", "secretRedaction.mode is %q, not redacted, included or not-applicable", m.SecretRedaction.Mode)
		}
		if m.SecretRedaction.Redacted != m.SecretsRedacted {
			add(Warning, "manifest_inconsistent", "secretRedaction.redacted", "secretRedaction.redacted disagrees with secretsRedacted")
		}
	}
	field("warnings", &m.Warnings, true, "an array of strings")
	return m, issues
}

// sortedKeys returns m's keys in order, so that issues come out the same on
// every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
