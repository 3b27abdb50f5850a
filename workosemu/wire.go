package workosemu

import (
	"time"
)

// The wire types below are what the API sends. Every nullable field is a
// pointer without omitempty so that it is written as an explicit null, and
// every object carries its object field, as production does.

const timeLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ts(*t)
	return &s
}

type userWire struct {
	Object            string            `json:"object"`
	ID                string            `json:"id"`
	Email             string            `json:"email"`
	FirstName         *string           `json:"first_name"`
	LastName          *string           `json:"last_name"`
	EmailVerified     bool              `json:"email_verified"`
	ProfilePictureURL *string           `json:"profile_picture_url"`
	LastSignInAt      *string           `json:"last_sign_in_at"`
	ExternalID        *string           `json:"external_id"`
	Metadata          map[string]string `json:"metadata"`
	Locale            *string           `json:"locale"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
}

func (u *User) wire() userWire {
	md := u.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return userWire{
		Object: "user", ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		EmailVerified: u.EmailVerified, ProfilePictureURL: u.ProfilePictureURL,
		LastSignInAt: tsPtr(u.LastSignInAt), ExternalID: u.ExternalID, Metadata: md, Locale: u.Locale,
		CreatedAt: ts(u.CreatedAt), UpdatedAt: ts(u.UpdatedAt),
	}
}

type domainWire struct {
	Object               string `json:"object"`
	ID                   string `json:"id"`
	OrganizationID       string `json:"organization_id"`
	Domain               string `json:"domain"`
	State                string `json:"state"`
	VerificationStrategy string `json:"verification_strategy"`
	CreatedAt            string `json:"created_at"`
	UpdatedAt            string `json:"updated_at"`
}

type orgWire struct {
	Object                           string            `json:"object"`
	ID                               string            `json:"id"`
	Name                             string            `json:"name"`
	AllowProfilesOutsideOrganization bool              `json:"allow_profiles_outside_organization"`
	Domains                          []domainWire      `json:"domains"`
	Metadata                         map[string]string `json:"metadata"`
	ExternalID                       *string           `json:"external_id"`
	StripeCustomerID                 string            `json:"stripe_customer_id,omitempty"`
	CreatedAt                        string            `json:"created_at"`
	UpdatedAt                        string            `json:"updated_at"`
}

func (o *Organization) wire() orgWire {
	md := o.Metadata
	if md == nil {
		md = map[string]string{}
	}
	doms := make([]domainWire, 0, len(o.Domains))
	for _, d := range o.Domains {
		doms = append(doms, domainWire{
			Object: "organization_domain", ID: d.ID, OrganizationID: o.ID, Domain: d.Domain,
			State: d.State, VerificationStrategy: d.VerificationStrategy,
			CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.UpdatedAt),
		})
	}
	return orgWire{
		Object: "organization", ID: o.ID, Name: o.Name,
		AllowProfilesOutsideOrganization: o.AllowProfilesOutsideOrganization,
		Domains:                          doms, Metadata: md, ExternalID: o.ExternalID,
		StripeCustomerID: o.StripeCustomerID, CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt),
	}
}

type slimRole struct {
	Slug string `json:"slug"`
}

type membershipWire struct {
	Object           string         `json:"object"`
	ID               string         `json:"id"`
	UserID           string         `json:"user_id"`
	OrganizationID   string         `json:"organization_id"`
	OrganizationName string         `json:"organization_name"`
	Status           string         `json:"status"`
	DirectoryManaged bool           `json:"directory_managed"`
	CustomAttributes map[string]any `json:"custom_attributes"`
	Role             slimRole       `json:"role"`
	Roles            []slimRole     `json:"roles"`
	User             userWire       `json:"user"`
	CreatedAt        string         `json:"created_at"`
	UpdatedAt        string         `json:"updated_at"`
}

func (s *store) membershipWire(m *Membership) membershipWire {
	w := membershipWire{
		Object: "organization_membership", ID: m.ID, UserID: m.UserID, OrganizationID: m.OrganizationID,
		Status: m.Status, CustomAttributes: map[string]any{}, Roles: []slimRole{},
		CreatedAt: ts(m.CreatedAt), UpdatedAt: ts(m.UpdatedAt),
	}
	if o, ok := s.orgs[m.OrganizationID]; ok {
		w.OrganizationName = o.Name
	}
	if u, ok := s.users[m.UserID]; ok {
		w.User = u.wire()
	}
	for i, slug := range m.RoleSlugs {
		if i == 0 {
			w.Role = slimRole{Slug: slug}
		}
		w.Roles = append(w.Roles, slimRole{Slug: slug})
	}
	return w
}

type roleWire struct {
	Object           string   `json:"object"`
	ID               string   `json:"id"`
	Slug             string   `json:"slug"`
	Name             string   `json:"name"`
	Description      *string  `json:"description"`
	Type             string   `json:"type"`
	ResourceTypeSlug string   `json:"resource_type_slug"`
	Permissions      []string `json:"permissions"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

func (r *Role) wire() roleWire {
	typ := "EnvironmentRole"
	if r.OrganizationID != "" {
		typ = "OrganizationRole"
	}
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return roleWire{
		Object: "role", ID: r.ID, Slug: r.Slug, Name: r.Name, Description: r.Description, Type: typ,
		ResourceTypeSlug: r.ResourceTypeSlug, Permissions: perms,
		CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt),
	}
}

type permissionWire struct {
	Object           string  `json:"object"`
	ID               string  `json:"id"`
	Slug             string  `json:"slug"`
	Name             string  `json:"name"`
	Description      *string `json:"description"`
	System           bool    `json:"system"`
	ResourceTypeSlug string  `json:"resource_type_slug"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

func (p *Permission) wire() permissionWire {
	return permissionWire{
		Object: "permission", ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description,
		ResourceTypeSlug: p.ResourceTypeSlug, CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt),
	}
}

type totpWire struct {
	Issuer string `json:"issuer"`
	User   string `json:"user"`
	Secret string `json:"secret,omitempty"`
	QRCode string `json:"qr_code,omitempty"`
	URI    string `json:"uri,omitempty"`
}

type factorWire struct {
	Object    string   `json:"object"`
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	UserID    string   `json:"user_id"`
	TOTP      totpWire `json:"totp"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// wire shows a factor as lists do: without the secret, which production
// reveals only in the enrollment response.
func (f *Factor) wire() factorWire {
	return factorWire{
		Object: "authentication_factor", ID: f.ID, Type: f.Type, UserID: f.UserID,
		TOTP:      totpWire{Issuer: f.Issuer, User: f.User},
		CreatedAt: ts(f.CreatedAt), UpdatedAt: ts(f.UpdatedAt),
	}
}
