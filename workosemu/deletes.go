package workosemu

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// The endpoints `mig rollback` and `mig reconcile` need beyond the import's:
// a factor by id, and the deletes of a factor, an organization's custom role
// and a permission, with the statuses the spec documents for each.

// getFactor serves GET /auth/factors/{id}.
func (s *Server) getFactor(q *request) reply {
	f, ok := s.st.factors[q.params["id"]]
	if !ok {
		return errNotFound("Authentication factor", q.params["id"])
	}
	return reply{status: http.StatusOK, body: f.wire()}
}

// deleteFactor serves DELETE /auth/factors/{id}: 200, or 404 for a factor
// that does not exist (any more).
func (s *Server) deleteFactor(q *request) reply {
	id := q.params["id"]
	if _, ok := s.st.factors[id]; !ok {
		return errNotFound("Authentication factor", id)
	}
	if err := s.st.deleteFactor(id); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK}
}

// deleteOrgRole serves DELETE /authorization/organizations/{id}/roles/{slug}:
// 204; 404 for an unknown organization or a slug that is none of its custom
// roles (an environment role is not deleted through an organization); 409
// role_has_assignments while a membership of the organization holds it.
func (s *Server) deleteOrgRole(q *request) reply {
	org, slug := q.params["id"], q.params["slug"]
	r, bad := s.orgRole(org, slug)
	if bad != nil {
		return *bad
	}
	for mid := range s.st.memsByOrg[org] {
		if slices.Contains(s.st.mems[mid].RoleSlugs, slug) {
			return errCode(http.StatusConflict, "role_has_assignments",
				"The role '%s' is assigned to organization memberships and cannot be deleted.", slug)
		}
	}
	if err := s.st.deleteRole(r.ID); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusNoContent}
}

// deletePermission serves DELETE /authorization/permissions/{slug}: 204, or
// 404. The roles that held the permission no longer do.
func (s *Server) deletePermission(q *request) reply {
	slug := q.params["slug"]
	id, ok := s.st.permsBySlug[slug]
	if !ok {
		return errNotFound("Permission", slug)
	}
	now := s.now()
	for _, rid := range s.st.roleOrder.ids {
		r := s.st.roles[rid]
		if !slices.Contains(r.Permissions, slug) {
			continue
		}
		c := *r
		c.Permissions = slices.DeleteFunc(slices.Clone(r.Permissions), func(p string) bool { return p == slug })
		c.UpdatedAt = now
		if err := s.st.putRole(&c); err != nil {
			return s.internal(err)
		}
	}
	if err := s.st.deletePermission(id); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusNoContent}
}

// SignIn records that user id signed in at t, as AuthKit would: the
// emulator serves no sign-in flow, and a rehearsal of `mig rollback` needs
// users who signed in since the import (last_sign_in_at set).
func (s *Server) SignIn(id string, t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u0, ok := s.st.users[id]
	if !ok {
		return false
	}
	u := *u0
	at := t.UTC()
	u.LastSignInAt = &at
	return s.st.putUser(&u) == nil
}

// emulatorReply serves the emulator's own paths under /_emulator/ other
// than the state dump: POST /_emulator/users/{id}/sign_in marks a user as
// signed in now (see SignIn).
func (s *Server) emulatorReply(r *http.Request, path string) reply {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if r.Method == http.MethodPost && len(segs) == 4 && strings.EqualFold(segs[1], "users") && strings.EqualFold(segs[3], "sign_in") {
		id, err := unescape(segs[2])
		if err != nil || !s.SignIn(id, s.now()) {
			return errNotFound("User", segs[2])
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		return reply{status: http.StatusOK, body: s.st.users[id].wire()}
	}
	return errRouteNotFound(r.Method, r.URL.Path)
}

// ---- store

func (s *store) deleteFactor(id string) error {
	f, ok := s.factors[id]
	if !ok {
		return nil
	}
	delete(s.factors, id)
	s.factorOrder.remove(id)
	delete(s.factorsByUser[f.UserID], id)
	return s.unpersist(kindFactor, id)
}

func (s *store) deleteRole(id string) error {
	r, ok := s.roles[id]
	if !ok {
		return nil
	}
	delete(s.roles, id)
	s.roleOrder.remove(id)
	if r.OrganizationID == "" {
		delete(s.envRoles, r.Slug)
	} else {
		delete(s.orgRoles[r.OrganizationID], r.Slug)
	}
	return s.unpersist(kindRole, id)
}

func (s *store) deletePermission(id string) error {
	p, ok := s.perms[id]
	if !ok {
		return nil
	}
	delete(s.perms, id)
	s.permOrder.remove(id)
	delete(s.permsBySlug, p.Slug)
	return s.unpersist(kindPermission, id)
}
