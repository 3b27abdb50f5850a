package workosemu

import (
	"net/http"
	"slices"
	"sort"
)

// defaultRoleSlug is the role a membership gets when none is named.
const defaultRoleSlug = "member"

// roleSlugs reads role_slug or role_slugs and checks them against the roles
// org may use. ok is false when neither key was given.
func (s *Server) roleSlugs(f fields, org string) (slugs []string, ok bool, bad *reply) {
	one, oneSet, b := f.str("role_slug")
	if b != nil {
		return nil, false, b
	}
	many, manySet, b := f.strSlice("role_slugs")
	if b != nil {
		return nil, false, b
	}
	switch {
	case oneSet && manySet:
		r := errInvalidParams("role_slugs", "mutually_exclusive", "Only one of role_slug or role_slugs may be provided.")
		return nil, false, &r
	case oneSet:
		slugs = []string{one}
	case manySet:
		if len(many) == 0 {
			r := errInvalidParams("role_slugs", "empty", "role_slugs must contain at least one role.")
			return nil, false, &r
		}
		if len(many) > 1 && !s.opts.AllowMultipleRoles {
			r := errCode(http.StatusUnprocessableEntity, "multiple_roles_not_enabled", "Multiple roles are not enabled for this environment.")
			return nil, false, &r
		}
		slugs = slices.Compact(slices.Clone(many))
	default:
		return nil, false, nil
	}
	for _, slug := range slugs {
		if _, ok := s.st.roleFor(org, slug); !ok {
			r := errCode(http.StatusUnprocessableEntity, "invalid_role", "Role '%s' is not a valid role.", slug)
			return nil, false, &r
		}
	}
	return slugs, true, nil
}

func (s *Server) createMembership(q *request) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	uid, ok, bad := f.str("user_id")
	if bad != nil {
		return *bad
	}
	if !ok || uid == "" {
		return errInvalidParams("user_id", "required", "user_id is required.")
	}
	oid, ok, bad := f.str("organization_id")
	if bad != nil {
		return *bad
	}
	if !ok || oid == "" {
		return errInvalidParams("organization_id", "required", "organization_id is required.")
	}
	if _, ok := s.st.users[uid]; !ok {
		return errNotFound("User", uid)
	}
	if _, ok := s.st.orgs[oid]; !ok {
		return errNotFound("Organization", oid)
	}
	slugs, given, bad := s.roleSlugs(f, oid)
	if bad != nil {
		return *bad
	}
	if !given {
		slugs = []string{defaultRoleSlug}
	}
	now := s.now()
	if mid, exists := s.st.memByPair[[2]string{uid, oid}]; exists {
		m := *s.st.mems[mid]
		switch m.Status {
		case "inactive":
			// Creating over an inactive membership reactivates it with the
			// requested roles, as the spec describes.
			m.Status, m.RoleSlugs, m.UpdatedAt = "active", slugs, now
			if err := s.st.putMembership(&m); err != nil {
				return s.internal(err)
			}
			return reply{status: http.StatusCreated, body: s.st.membershipWire(&m)}
		case "pending":
			return errCode(http.StatusBadRequest, "cannot_reactivate_pending_organization_membership",
				"A pending organization membership cannot be reactivated. The user needs to accept the invitation instead.")
		default:
			return errCode(http.StatusConflict, "organization_membership_already_exists", "The user already belongs to this organization.")
		}
	}
	m := &Membership{ID: s.st.newID("om_", now), UserID: uid, OrganizationID: oid, Status: "active",
		RoleSlugs: slugs, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putMembership(m); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: s.st.membershipWire(m)}
}

func (s *Server) getMembership(q *request) reply {
	m, ok := s.st.mems[q.params["id"]]
	if !ok {
		return errNotFound("Organization membership", q.params["id"])
	}
	return reply{status: http.StatusOK, body: s.st.membershipWire(m)}
}

func (s *Server) listMemberships(q *request) reply {
	v := q.r.URL.Query()
	lq, bad := parseListQuery(v)
	if bad != nil {
		return *bad
	}
	uid, oid := v.Get("user_id"), v.Get("organization_id")
	if uid == "" && oid == "" {
		return errCode(http.StatusBadRequest, "missing_user_id_or_organization_id", "Either user_id or organization_id must be provided.")
	}
	statuses := map[string]bool{}
	for _, st := range queryList(v, "statuses") {
		if st != "active" && st != "inactive" && st != "pending" {
			return errCode(http.StatusBadRequest, "invalid_request_parameters", "statuses must be any of active, inactive, pending.")
		}
		statuses[st] = true
	}
	if len(statuses) == 0 {
		statuses["active"] = true
	}
	var set map[string]bool
	if uid != "" {
		if _, ok := s.st.users[uid]; !ok {
			return errNotFound("User", uid)
		}
		set = s.st.memsByUser[uid]
	}
	if oid != "" {
		if _, ok := s.st.orgs[oid]; !ok {
			return errNotFound("Organization", oid)
		}
		if set == nil || len(s.st.memsByOrg[oid]) < len(set) {
			set = s.st.memsByOrg[oid]
		}
	}
	var ids []string
	for id := range set {
		m := s.st.mems[id]
		if (uid != "" && m.UserID != uid) || (oid != "" && m.OrganizationID != oid) || !statuses[m.Status] {
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	page, md := paginate(ids, lq)
	data := make([]any, 0, len(page))
	for _, id := range page {
		data = append(data, s.st.membershipWire(s.st.mems[id]))
	}
	return listReply(data, md)
}

func (s *Server) updateMembership(q *request) reply {
	m0, ok := s.st.mems[q.params["id"]]
	if !ok {
		return errNotFound("Organization membership", q.params["id"])
	}
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	slugs, given, bad := s.roleSlugs(f, m0.OrganizationID)
	if bad != nil {
		return *bad
	}
	m := *m0
	if given {
		m.RoleSlugs = slugs
	}
	m.UpdatedAt = s.now()
	if err := s.st.putMembership(&m); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK, body: s.st.membershipWire(&m)}
}

func (s *Server) deleteMembership(q *request) reply {
	id := q.params["id"]
	if _, ok := s.st.mems[id]; !ok {
		return errNotFound("Organization membership", id)
	}
	if err := s.st.deleteMembership(id); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK}
}
