package emit

import (
	"encoding/json"
	"fmt"
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
	dec := json.NewDecoder(bytesReader(b))
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
