package workosapi

import (
	"context"
	"net/http"
	"net/url"
)

// The calls `mig reconcile` and `mig rollback` make: every list endpoint
// page by page with its cursor (100 objects a page, the most the spec
// allows, oldest first so that a page boundary never moves under objects
// created while the list is read), a user with its last sign-in, and the
// deletes of everything an import creates.

// PageSize is the largest page the list endpoints give.
const PageSize = 100

// UserRecord is a WorkOS user as the API shows it, without what it never
// shows (the password).
type UserRecord struct {
	ID            string            `json:"id"`
	Email         string            `json:"email"`
	FirstName     *string           `json:"first_name"`
	LastName      *string           `json:"last_name"`
	EmailVerified bool              `json:"email_verified"`
	ExternalID    *string           `json:"external_id"`
	Metadata      map[string]string `json:"metadata"`
	LastSignInAt  *string           `json:"last_sign_in_at"`
}

// Page is one page of a list and the cursor of the next ("" at the end).
type Page[T any] struct {
	Data  []T
	After string
}

func listPage[T any](ctx context.Context, c *Client, path string, q url.Values, after string) (Page[T], error) {
	q.Set("limit", "100")
	q.Set("order", "asc")
	if after != "" {
		q.Set("after", after)
	}
	var l list[T]
	if err := c.do(ctx, http.MethodGet, path, q, nil, &l); err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Data: l.Data}
	if l.ListMetadata.After != nil && len(l.Data) > 0 {
		p.After = *l.ListMetadata.After
	}
	return p, nil
}

// ListUsers reads one page of the environment's users, after cursor after
// ("" for the first page).
func (c *Client) ListUsers(ctx context.Context, after string) (Page[UserRecord], error) {
	return listPage[UserRecord](ctx, c, "/user_management/users", url.Values{}, after)
}

// ListOrganizations reads one page of the environment's organizations.
func (c *Client) ListOrganizations(ctx context.Context, after string) (Page[Organization], error) {
	return listPage[Organization](ctx, c, "/organizations", url.Values{}, after)
}

// ListOrganizationMemberships reads one page of an organization's
// memberships in every status (the endpoint shows only active ones unless
// asked).
func (c *Client) ListOrganizationMemberships(ctx context.Context, orgID, after string) (Page[Membership], error) {
	q := url.Values{"organization_id": {orgID}, "statuses": {"active,inactive,pending"}}
	return listPage[Membership](ctx, c, "/user_management/organization_memberships", q, after)
}

// ListFactorsPage reads one page of a user's authentication factors.
func (c *Client) ListFactorsPage(ctx context.Context, userID, after string) (Page[Factor], error) {
	return listPage[Factor](ctx, c, "/user_management/users/"+esc(userID)+"/auth_factors", url.Values{}, after)
}

// GetUser returns user id, or nil when WorkOS has no such user.
func (c *Client) GetUser(ctx context.Context, id string) (*UserRecord, error) {
	var u UserRecord
	err := c.do(ctx, http.MethodGet, "/user_management/users/"+esc(id), nil, nil, &u)
	if ae, ok := AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// del sends a DELETE. It reports whether the object was there: a 404 means
// it is gone already (deleted by an earlier try whose answer was lost, or
// by someone else), which is no error for whoever wants it gone.
func (c *Client) del(ctx context.Context, path string) (bool, error) {
	err := c.do(ctx, http.MethodDelete, path, nil, nil, nil)
	if ae, ok := AsAPIError(err); ok && ae.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// DeleteUser deletes a user, and with it its memberships and factors.
func (c *Client) DeleteUser(ctx context.Context, id string) (bool, error) {
	return c.del(ctx, "/user_management/users/"+esc(id))
}

// DeleteMembership deletes an organization membership.
func (c *Client) DeleteMembership(ctx context.Context, id string) (bool, error) {
	return c.del(ctx, "/user_management/organization_memberships/"+esc(id))
}

// DeleteFactor deletes an authentication factor.
func (c *Client) DeleteFactor(ctx context.Context, id string) (bool, error) {
	return c.del(ctx, "/auth/factors/"+esc(id))
}

// DeleteOrganization deletes an organization, and with it its memberships
// and custom roles.
func (c *Client) DeleteOrganization(ctx context.Context, id string) (bool, error) {
	return c.del(ctx, "/organizations/"+esc(id))
}

// DeleteOrganizationRole deletes an organization's custom role.
func (c *Client) DeleteOrganizationRole(ctx context.Context, orgID, slug string) (bool, error) {
	return c.del(ctx, rolesPath(orgID)+"/"+esc(slug))
}

// DeletePermission deletes an environment permission.
func (c *Client) DeletePermission(ctx context.Context, slug string) (bool, error) {
	return c.del(ctx, "/authorization/permissions/"+esc(slug))
}
