package workosapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Client is the typed client for what workos-go v4.46.1 lacks. It shares
// the importer's http.Client (and so its Transport) with the SDK clients.
type Client struct {
	Endpoint   string
	APIKey     string
	HTTPClient *http.Client
}

// Permission is a WorkOS environment permission.
type Permission struct {
	ID          string  `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
}

// Role is an environment role or an organization's custom role.
type Role struct {
	ID          string   `json:"id"`
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Permissions []string `json:"permissions"`
}

// Membership is an organization membership with all its role slugs.
type Membership struct {
	ID             string   `json:"id"`
	UserID         string   `json:"user_id"`
	OrganizationID string   `json:"organization_id"`
	Status         string   `json:"status"`
	RoleSlugs      []string `json:"-"`
}

func (m *Membership) UnmarshalJSON(b []byte) error {
	type plain Membership
	var w struct {
		plain
		Role  *struct{ Slug string }  `json:"role"`
		Roles []struct{ Slug string } `json:"roles"`
		Slugs []string                `json:"role_slugs"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Membership(w.plain)
	switch {
	case len(w.Slugs) > 0:
		m.RoleSlugs = w.Slugs
	case len(w.Roles) > 0:
		for _, r := range w.Roles {
			m.RoleSlugs = append(m.RoleSlugs, r.Slug)
		}
	case w.Role != nil:
		m.RoleSlugs = []string{w.Role.Slug}
	}
	return nil
}

// Organization is the part of a WorkOS organization the importer reads.
type Organization struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	ExternalID *string `json:"external_id"`
}

// User is the part of a WorkOS user the importer reads.
type User struct {
	ID         string  `json:"id"`
	Email      string  `json:"email"`
	ExternalID *string `json:"external_id"`
}

// Factor is an authentication factor as lists show it (no secret).
type Factor struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	TOTP *struct {
		Issuer string `json:"issuer"`
		User   string `json:"user"`
	} `json:"totp"`
}

type list[T any] struct {
	Data         []T `json:"data"`
	ListMetadata struct {
		After *string `json:"after"`
	} `json:"list_metadata"`
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := strings.TrimRight(c.Endpoint, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "mig")
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return readError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func esc(s string) string { return url.PathEscape(s) }

// CreatePermission creates an environment permission.
func (c *Client) CreatePermission(ctx context.Context, slug, name, description string) (Permission, error) {
	in := map[string]any{"slug": slug, "name": name}
	if description != "" {
		in["description"] = description
	}
	var p Permission
	err := c.do(ctx, http.MethodPost, "/authorization/permissions", nil, in, &p)
	return p, err
}

// FindPermission pages through the environment's permissions for slug.
func (c *Client) FindPermission(ctx context.Context, slug string) (*Permission, error) {
	q := url.Values{"limit": {"100"}, "order": {"asc"}}
	for {
		var l list[Permission]
		if err := c.do(ctx, http.MethodGet, "/authorization/permissions", q, nil, &l); err != nil {
			return nil, err
		}
		for i := range l.Data {
			if l.Data[i].Slug == slug {
				return &l.Data[i], nil
			}
		}
		if l.ListMetadata.After == nil || len(l.Data) == 0 {
			return nil, nil
		}
		q.Set("after", *l.ListMetadata.After)
	}
}

func rolesPath(orgID string) string {
	if orgID == "" {
		return "/authorization/roles"
	}
	return "/authorization/organizations/" + esc(orgID) + "/roles"
}

// CreateRole creates an environment role (orgID empty) or a custom role of
// the organization orgID.
func (c *Client) CreateRole(ctx context.Context, orgID, slug, name, description string) (Role, error) {
	in := map[string]any{"slug": slug, "name": name}
	if description != "" {
		in["description"] = description
	}
	var r Role
	err := c.do(ctx, http.MethodPost, rolesPath(orgID), nil, in, &r)
	return r, err
}

// FindRole looks slug up among the environment's roles, or among the roles
// organization orgID may use.
func (c *Client) FindRole(ctx context.Context, orgID, slug string) (*Role, error) {
	var l list[Role]
	if err := c.do(ctx, http.MethodGet, rolesPath(orgID), nil, nil, &l); err != nil {
		return nil, err
	}
	for i := range l.Data {
		if l.Data[i].Slug == slug {
			return &l.Data[i], nil
		}
	}
	return nil, nil
}

// SetRolePermissions replaces the permissions of a role.
func (c *Client) SetRolePermissions(ctx context.Context, orgID, slug string, permissions []string) (Role, error) {
	if permissions == nil {
		permissions = []string{}
	}
	var r Role
	err := c.do(ctx, http.MethodPut, rolesPath(orgID)+"/"+esc(slug)+"/permissions", nil,
		map[string]any{"permissions": permissions}, &r)
	return r, err
}

// roleBody is role_slug for one role (accepted by every environment),
// role_slugs for several, and nothing for none (the default role).
func roleBody(in map[string]any, slugs []string) {
	switch len(slugs) {
	case 0:
	case 1:
		in["role_slug"] = slugs[0]
	default:
		in["role_slugs"] = slugs
	}
}

// CreateMembership adds user userID to organization orgID with slugs.
func (c *Client) CreateMembership(ctx context.Context, userID, orgID string, slugs []string) (Membership, error) {
	in := map[string]any{"user_id": userID, "organization_id": orgID}
	roleBody(in, slugs)
	var m Membership
	err := c.do(ctx, http.MethodPost, "/user_management/organization_memberships", nil, in, &m)
	return m, err
}

// UpdateMembership replaces a membership's roles.
func (c *Client) UpdateMembership(ctx context.Context, id string, slugs []string) (Membership, error) {
	in := map[string]any{}
	roleBody(in, slugs)
	var m Membership
	err := c.do(ctx, http.MethodPut, "/user_management/organization_memberships/"+esc(id), nil, in, &m)
	return m, err
}

// FindMembership returns the membership of userID in orgID in any status,
// or nil.
func (c *Client) FindMembership(ctx context.Context, userID, orgID string) (*Membership, error) {
	q := url.Values{"user_id": {userID}, "organization_id": {orgID}, "statuses": {"active,inactive,pending"}, "limit": {"10"}}
	var l list[Membership]
	if err := c.do(ctx, http.MethodGet, "/user_management/organization_memberships", q, nil, &l); err != nil {
		return nil, err
	}
	for i := range l.Data {
		if l.Data[i].OrganizationID == orgID && l.Data[i].UserID == userID {
			return &l.Data[i], nil
		}
	}
	return nil, nil
}

// FindOrganizationsByName returns the organizations named exactly name,
// using the list endpoint's search (which matches substrings of names).
func (c *Client) FindOrganizationsByName(ctx context.Context, name string) ([]Organization, error) {
	q := url.Values{"search": {name}, "limit": {"100"}, "order": {"asc"}}
	var out []Organization
	for {
		var l list[Organization]
		if err := c.do(ctx, http.MethodGet, "/organizations", q, nil, &l); err != nil {
			return nil, err
		}
		for _, o := range l.Data {
			if strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(name)) {
				out = append(out, o)
			}
		}
		if l.ListMetadata.After == nil || len(l.Data) == 0 {
			return out, nil
		}
		q.Set("after", *l.ListMetadata.After)
	}
}

// UserUpdate is the body of PUT /user_management/users/{id}. It is sent by
// this client rather than the SDK because the SDK's UpdateUserOpts drops
// email_verified when it is false (omitempty), so a user whose address
// became unverified in the source stayed verified in WorkOS. The other
// fields keep the SDK's rule: an empty one is not sent, so an update never
// empties a value WorkOS holds.
type UserUpdate struct {
	Email            string            `json:"email,omitempty"`
	FirstName        string            `json:"first_name,omitempty"`
	LastName         string            `json:"last_name,omitempty"`
	EmailVerified    bool              `json:"email_verified"`
	ExternalID       string            `json:"external_id,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	Password         string            `json:"password,omitempty"`
	PasswordHash     string            `json:"password_hash,omitempty"`
	PasswordHashType string            `json:"password_hash_type,omitempty"`
}

// UpdateUser sends u as the new profile of the WorkOS user id.
func (c *Client) UpdateUser(ctx context.Context, id string, u UserUpdate) (User, error) {
	var out User
	err := c.do(ctx, http.MethodPut, "/user_management/users/"+esc(id), nil, u, &out)
	return out, err
}

// FindUserByEmail returns the user whose email is email, or nil.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (*User, error) {
	var l list[User]
	if err := c.do(ctx, http.MethodGet, "/user_management/users", url.Values{"email": {email}, "limit": {"10"}}, nil, &l); err != nil {
		return nil, err
	}
	for i := range l.Data {
		if strings.EqualFold(l.Data[i].Email, email) {
			return &l.Data[i], nil
		}
	}
	return nil, nil
}

// FindUserByExternalID returns the user with external_id ext, or nil.
func (c *Client) FindUserByExternalID(ctx context.Context, ext string) (*User, error) {
	var u User
	err := c.do(ctx, http.MethodGet, "/user_management/users/external_id/"+esc(ext), nil, nil, &u)
	if ae, ok := AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// FindOrganizationByExternalID returns the organization with external_id
// ext, or nil.
func (c *Client) FindOrganizationByExternalID(ctx context.Context, ext string) (*Organization, error) {
	var o Organization
	err := c.do(ctx, http.MethodGet, "/organizations/external_id/"+esc(ext), nil, nil, &o)
	if ae, ok := AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// GetOrganization returns the organization id, or nil when it does not
// exist.
func (c *Client) GetOrganization(ctx context.Context, id string) (*Organization, error) {
	var o Organization
	err := c.do(ctx, http.MethodGet, "/organizations/"+esc(id), nil, nil, &o)
	if ae, ok := AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// EnrollTOTP enrolls a TOTP factor for user userID with a given secret, so
// the user's authenticator app keeps working. It returns the factor and
// the answer's text: a 2xx answer that carries no factor id is no
// enrolment the importer can record, and the caller shows that text.
func (c *Client) EnrollTOTP(ctx context.Context, userID, issuer, user, secret string) (Factor, string, error) {
	in := map[string]any{"type": "totp", "totp_issuer": issuer, "totp_user": user, "totp_secret": secret}
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodPost, "/user_management/users/"+esc(userID)+"/auth_factors", nil, in, &raw); err != nil {
		return Factor{}, "", err
	}
	var out struct {
		Factor Factor `json:"authentication_factor"`
	}
	// A body that is not the documented object leaves the id empty,
	// which the caller reports with the text.
	_ = json.Unmarshal(raw, &out)
	return out.Factor, string(raw), nil
}

// Ping reads one organization, the cheapest call that needs a valid key:
// it tells whether the endpoint answers, as WorkOS, and accepts the key.
func (c *Client) Ping(ctx context.Context) error {
	var l list[Organization]
	return c.do(ctx, http.MethodGet, "/organizations", url.Values{"limit": {"1"}}, nil, &l)
}

// ListFactors returns a user's authentication factors.
func (c *Client) ListFactors(ctx context.Context, userID string) ([]Factor, error) {
	var l list[Factor]
	err := c.do(ctx, http.MethodGet, "/user_management/users/"+esc(userID)+"/auth_factors", url.Values{"limit": {"100"}}, nil, &l)
	return l.Data, err
}
