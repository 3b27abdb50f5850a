package workosemu

import (
	"time"
)

// User is one stored WorkOS user. It holds what the API shows plus what it
// keeps secret (the password hash), so that tests can check that an import
// carried the hash over byte for byte.
type User struct {
	ID                string            `json:"id"`
	Email             string            `json:"email"`
	FirstName         *string           `json:"first_name"`
	LastName          *string           `json:"last_name"`
	EmailVerified     bool              `json:"email_verified"`
	ProfilePictureURL *string           `json:"profile_picture_url"`
	ExternalID        *string           `json:"external_id"`
	Metadata          map[string]string `json:"metadata"`
	Locale            *string           `json:"locale"`
	LastSignInAt      *time.Time        `json:"last_sign_in_at"`
	PasswordHash      string            `json:"password_hash,omitempty"`
	PasswordHashType  string            `json:"password_hash_type,omitempty"`
	PasswordSet       bool              `json:"password_set,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

// Domain is one organization domain.
type Domain struct {
	ID                   string    `json:"id"`
	Domain               string    `json:"domain"`
	State                string    `json:"state"`
	VerificationStrategy string    `json:"verification_strategy"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// Organization is one stored WorkOS organization.
type Organization struct {
	ID                               string            `json:"id"`
	Name                             string            `json:"name"`
	AllowProfilesOutsideOrganization bool              `json:"allow_profiles_outside_organization"`
	Domains                          []Domain          `json:"domains"`
	ExternalID                       *string           `json:"external_id"`
	StripeCustomerID                 string            `json:"stripe_customer_id,omitempty"`
	Metadata                         map[string]string `json:"metadata"`
	CreatedAt                        time.Time         `json:"created_at"`
	UpdatedAt                        time.Time         `json:"updated_at"`
}

// Membership is one organization membership. RoleSlugs has one entry unless
// the environment allows multiple roles; the first is the primary role.
type Membership struct {
	ID             string    `json:"id"`
	UserID         string    `json:"user_id"`
	OrganizationID string    `json:"organization_id"`
	Status         string    `json:"status"`
	RoleSlugs      []string  `json:"role_slugs"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Role is an environment role (OrganizationID empty) or an organization's
// custom role.
type Role struct {
	ID               string    `json:"id"`
	Slug             string    `json:"slug"`
	Name             string    `json:"name"`
	Description      *string   `json:"description"`
	OrganizationID   string    `json:"organization_id,omitempty"`
	ResourceTypeSlug string    `json:"resource_type_slug"`
	Permissions      []string  `json:"permissions"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Permission is one environment permission.
type Permission struct {
	ID               string    `json:"id"`
	Slug             string    `json:"slug"`
	Name             string    `json:"name"`
	Description      *string   `json:"description"`
	ResourceTypeSlug string    `json:"resource_type_slug"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Factor is one TOTP authentication factor. The secret is kept so a test can
// check that an imported factor still produces the user's codes.
type Factor struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Type      string    `json:"type"`
	Issuer    string    `json:"issuer"`
	User      string    `json:"user"`
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// State is a copy of everything the emulator holds, in creation order. It is
// what GET /_emulator/state dumps (with password hashes and TOTP secrets
// redacted unless ?secrets=1) and what other packages' tests inspect
// ("exactly one WorkOS user per staged user").
type State struct {
	Counts        Counts         `json:"counts"`
	Users         []User         `json:"users"`
	Organizations []Organization `json:"organizations"`
	Memberships   []Membership   `json:"organization_memberships"`
	Roles         []Role         `json:"roles"`
	Permissions   []Permission   `json:"permissions"`
	Factors       []Factor       `json:"auth_factors"`
}

// Counts is the number of objects of each kind.
type Counts struct {
	Users         int `json:"users"`
	Organizations int `json:"organizations"`
	Memberships   int `json:"organization_memberships"`
	Roles         int `json:"roles"`
	Permissions   int `json:"permissions"`
	Factors       int `json:"auth_factors"`
}

// UsersByEmail returns the users whose email matches email
// case-insensitively. More than one means the importer created a duplicate
// through a path the emulator failed to reject, which tests should flag.
func (s State) UsersByEmail(email string) []User {
	key := normEmail(email)
	var out []User
	for _, u := range s.Users {
		if normEmail(u.Email) == key {
			out = append(out, u)
		}
	}
	return out
}
