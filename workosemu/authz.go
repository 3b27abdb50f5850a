package workosemu

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	permissionSlugRe = regexp.MustCompile(`^[a-z0-9_\-:.*]+$`)
	roleSlugRe       = regexp.MustCompile(`^[a-z0-9_\-:.]+$`)
	orgRoleSlugRe    = regexp.MustCompile(`^org-[a-z0-9_\-]+$`)
)

// Length limits from the spec's authorization DTOs.
const (
	maxSlugLen        = 48
	maxNameLen        = 48
	maxDescriptionLen = 150
)

// nameDesc reads the name, description and resource_type_slug shared by
// roles and permissions and checks their spec limits.
func nameDesc(f fields, nameRequired bool) (name string, desc *string, rts string, bad *reply) {
	name, ok, bad := f.str("name")
	if bad != nil {
		return "", nil, "", bad
	}
	if nameRequired && (!ok || strings.TrimSpace(name) == "") {
		r := errMessage(http.StatusUnprocessableEntity, "name should not be empty.")
		return "", nil, "", &r
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		r := errMessage(http.StatusUnprocessableEntity, "name must be shorter than or equal to %d characters.", maxNameLen)
		return "", nil, "", &r
	}
	desc, _, bad = f.nullableStr("description")
	if bad != nil {
		return "", nil, "", bad
	}
	if desc != nil && utf8.RuneCountInString(*desc) > maxDescriptionLen {
		r := errMessage(http.StatusUnprocessableEntity, "description must be shorter than or equal to %d characters.", maxDescriptionLen)
		return "", nil, "", &r
	}
	rts, ok, bad = f.str("resource_type_slug")
	if bad != nil {
		return "", nil, "", bad
	}
	if !ok || rts == "" {
		rts = "organization"
	}
	return name, desc, rts, nil
}

// requiredSlug reads the body's slug: present, not empty, matching re and at
// most maxSlugLen long, else the 422 production answers (invalid has a %d
// for the length).
func requiredSlug(f fields, re *regexp.Regexp, invalid string) (string, *reply) {
	slug, ok, bad := f.str("slug")
	if bad != nil {
		return "", bad
	}
	if !ok || slug == "" {
		r := errMessage(http.StatusUnprocessableEntity, "slug should not be empty.")
		return "", &r
	}
	if len(slug) > maxSlugLen || !re.MatchString(slug) {
		r := errMessage(http.StatusUnprocessableEntity, invalid, maxSlugLen)
		return "", &r
	}
	return slug, nil
}

func (s *Server) createPermission(q *request) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	slug, bad := requiredSlug(f, permissionSlugRe, "slug must be lowercase and contain only letters, numbers, hyphens, underscores, colons, periods, and asterisks, at most %d characters.")
	if bad != nil {
		return *bad
	}
	name, desc, rts, bad := nameDesc(f, true)
	if bad != nil {
		return *bad
	}
	if _, taken := s.st.permsBySlug[slug]; taken {
		return errCode(http.StatusConflict, "permission_slug_conflict", "A permission with slug '%s' already exists.", slug)
	}
	now := s.now()
	p := &Permission{ID: s.st.newID("perm_", now), Slug: slug, Name: name, Description: desc,
		ResourceTypeSlug: rts, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putPermission(p); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: p.wire()}
}

func (s *Server) listPermissions(q *request) reply {
	lq, bad := parseListQuery(q.r.URL.Query())
	if bad != nil {
		return *bad
	}
	page, md := paginate(s.st.permOrder.ids, lq)
	data := make([]any, 0, len(page))
	for _, id := range page {
		data = append(data, s.st.perms[id].wire())
	}
	return listReply(data, md)
}

type roleList struct {
	Object string     `json:"object"`
	Data   []roleWire `json:"data"`
}

func (s *Server) createEnvRole(q *request) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	slug, bad := requiredSlug(f, roleSlugRe, "slug must be lowercase letters, numbers, hyphens, underscores, colons or periods, at most %d characters.")
	if bad != nil {
		return *bad
	}
	name, desc, rts, bad := nameDesc(f, true)
	if bad != nil {
		return *bad
	}
	if _, taken := s.st.envRoles[slug]; taken {
		return errCode(http.StatusConflict, "role_slug_conflict", "A role with slug '%s' already exists.", slug)
	}
	now := s.now()
	r := &Role{ID: s.st.newID("role_", now), Slug: slug, Name: name, Description: desc,
		ResourceTypeSlug: rts, Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putRole(r); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: r.wire()}
}

func (s *Server) listEnvRoles(*request) reply {
	out := roleList{Object: "list", Data: []roleWire{}}
	for _, id := range s.st.roleOrder.ids {
		if r := s.st.roles[id]; r.OrganizationID == "" {
			out.Data = append(out.Data, r.wire())
		}
	}
	return reply{status: http.StatusOK, body: out}
}

// randomSuffix makes the random tail of a generated organization role slug.
func (s *Server) randomSuffix(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.pick(len(alphabet))]
	}
	return string(b)
}

func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func (s *Server) createOrgRole(q *request) reply {
	org := q.params["id"]
	if _, ok := s.st.orgs[org]; !ok {
		return errNotFound("Organization", org)
	}
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	slug, given, bad := f.str("slug")
	if bad != nil {
		return *bad
	}
	name, desc, rts, bad := nameDesc(f, true)
	if bad != nil {
		return *bad
	}
	if given {
		if len(slug) > maxSlugLen || !orgRoleSlugRe.MatchString(slug) {
			return errMessage(http.StatusUnprocessableEntity, "slug must begin with 'org-' and contain only lowercase letters, numbers, hyphens, and underscores, at most %d characters.", maxSlugLen)
		}
	} else {
		base := slugify(name)
		if len(base) > maxSlugLen-len("org--")-6 {
			base = strings.TrimSuffix(base[:maxSlugLen-len("org--")-6], "-")
		}
		slug = fmt.Sprintf("org-%s-%s", base, s.randomSuffix(6))
	}
	if _, taken := s.st.orgRoles[org][slug]; taken {
		return errCode(http.StatusConflict, "organization_role_slug_conflict", "A role with slug '%s' already exists in this organization.", slug)
	}
	now := s.now()
	r := &Role{ID: s.st.newID("role_", now), Slug: slug, Name: name, Description: desc, OrganizationID: org,
		ResourceTypeSlug: rts, Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putRole(r); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: r.wire()}
}

// listOrgRoles lists the roles a membership in the organization may use:
// environment roles first, then the organization's custom roles, which is
// the priority order production returns.
func (s *Server) listOrgRoles(q *request) reply {
	org := q.params["id"]
	if _, ok := s.st.orgs[org]; !ok {
		return errNotFound("Organization", org)
	}
	out := roleList{Object: "list", Data: []roleWire{}}
	var custom []roleWire
	for _, id := range s.st.roleOrder.ids {
		r := s.st.roles[id]
		switch r.OrganizationID {
		case "":
			out.Data = append(out.Data, r.wire())
		case org:
			custom = append(custom, r.wire())
		}
	}
	out.Data = append(out.Data, custom...)
	return reply{status: http.StatusOK, body: out}
}

// rolePermissions sets (replace) or adds (add) permissions on role.
func (s *Server) rolePermissions(q *request, r0 *Role, replace bool) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	var slugs []string
	if replace {
		list, ok, bad := f.strSlice("permissions")
		if bad != nil {
			return *bad
		}
		if !ok {
			return errMessage(http.StatusUnprocessableEntity, "permissions must be an array of strings.")
		}
		slugs = list
	} else {
		slug, ok, bad := f.str("slug")
		if bad != nil {
			return *bad
		}
		if !ok || slug == "" {
			return errMessage(http.StatusUnprocessableEntity, "slug should not be empty.")
		}
		slugs = []string{slug}
	}
	for _, p := range slugs {
		if _, ok := s.st.permsBySlug[p]; !ok {
			return errMessage(http.StatusUnprocessableEntity, "Permission not found: '%s'.", p)
		}
	}
	r := *r0
	if replace {
		r.Permissions = []string{}
	} else {
		r.Permissions = slices.Clone(r.Permissions)
	}
	for _, p := range slugs {
		if !slices.Contains(r.Permissions, p) {
			r.Permissions = append(r.Permissions, p)
		}
	}
	r.UpdatedAt = s.now()
	if err := s.st.putRole(&r); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK, body: r.wire()}
}

func (s *Server) envRole(slug string) (*Role, *reply) {
	id, ok := s.st.envRoles[slug]
	if !ok {
		r := errNotFound("Role", slug)
		return nil, &r
	}
	return s.st.roles[id], nil
}

func (s *Server) orgRole(org, slug string) (*Role, *reply) {
	if _, ok := s.st.orgs[org]; !ok {
		r := errNotFound("Organization", org)
		return nil, &r
	}
	id, ok := s.st.orgRoles[org][slug]
	if !ok {
		r := errNotFound("Role", slug)
		return nil, &r
	}
	return s.st.roles[id], nil
}

func (s *Server) setEnvRolePermissions(q *request) reply {
	r, bad := s.envRole(q.params["slug"])
	if bad != nil {
		return *bad
	}
	return s.rolePermissions(q, r, true)
}

func (s *Server) addEnvRolePermission(q *request) reply {
	r, bad := s.envRole(q.params["slug"])
	if bad != nil {
		return *bad
	}
	return s.rolePermissions(q, r, false)
}

func (s *Server) setOrgRolePermissions(q *request) reply {
	r, bad := s.orgRole(q.params["id"], q.params["slug"])
	if bad != nil {
		return *bad
	}
	return s.rolePermissions(q, r, true)
}

func (s *Server) addOrgRolePermission(q *request) reply {
	r, bad := s.orgRole(q.params["id"], q.params["slug"])
	if bad != nil {
		return *bad
	}
	return s.rolePermissions(q, r, false)
}

// getEnvRole serves GET /authorization/roles/{slug}: an environment role by
// its slug, or 404 with a message.
func (s *Server) getEnvRole(q *request) reply {
	r, bad := s.envRole(q.params["slug"])
	if bad != nil {
		return *bad
	}
	return reply{status: http.StatusOK, body: r.wire()}
}

// getOrgRole serves GET /authorization/organizations/{id}/roles/{slug}: a
// role a membership in the organization may use, which the spec says is
// either one of its custom roles or an environment role.
func (s *Server) getOrgRole(q *request) reply {
	org, slug := q.params["id"], q.params["slug"]
	if _, ok := s.st.orgs[org]; !ok {
		return errNotFound("Organization", org)
	}
	r, ok := s.st.roleFor(org, slug)
	if !ok {
		return errNotFound("Role", slug)
	}
	return reply{status: http.StatusOK, body: r.wire()}
}

// getPermission serves GET /authorization/permissions/{slug}.
func (s *Server) getPermission(q *request) reply {
	slug := q.params["slug"]
	id, ok := s.st.permsBySlug[slug]
	if !ok {
		return errNotFound("Permission", slug)
	}
	return reply{status: http.StatusOK, body: s.st.perms[id].wire()}
}
