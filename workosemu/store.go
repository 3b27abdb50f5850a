package workosemu

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// Kinds of stored objects, used as the persistence table key.
const (
	kindUser       = "user"
	kindOrg        = "organization"
	kindMembership = "organization_membership"
	kindRole       = "role"
	kindPermission = "permission"
	kindFactor     = "auth_factor"
)

// persister writes every change through to durable storage. The in-memory
// maps stay the source of truth while the process runs; the persister only
// has to give them back after a restart.
type persister interface {
	put(kind, id string, v any) error
	del(kind, id string) error
	load(fn func(kind string, body []byte) error) error
	close() error
}

// store holds every object and the indexes the API needs. It is not safe
// for concurrent use; Server guards it with its mutex.
type store struct {
	users        map[string]*User
	userOrder    ordered
	usersByEmail map[string]string
	usersByExt   map[string]string

	orgs      map[string]*Organization
	orgOrder  ordered
	orgsByExt map[string]string

	mems       map[string]*Membership
	memOrder   ordered
	memsByUser map[string]map[string]bool
	memsByOrg  map[string]map[string]bool
	memByPair  map[[2]string]string

	roles     map[string]*Role
	roleOrder ordered
	envRoles  map[string]string            // slug -> id
	orgRoles  map[string]map[string]string // org id -> slug -> id

	perms       map[string]*Permission
	permOrder   ordered
	permsBySlug map[string]string

	factors       map[string]*Factor
	factorOrder   ordered
	factorsByUser map[string]map[string]bool

	entropy io.Reader
	lastID  ulid.ULID
	p       persister
}

func newStore(entropy io.Reader, p persister) *store {
	return &store{
		users: map[string]*User{}, usersByEmail: map[string]string{}, usersByExt: map[string]string{},
		orgs: map[string]*Organization{}, orgsByExt: map[string]string{},
		mems: map[string]*Membership{}, memsByUser: map[string]map[string]bool{}, memsByOrg: map[string]map[string]bool{}, memByPair: map[[2]string]string{},
		roles: map[string]*Role{}, envRoles: map[string]string{}, orgRoles: map[string]map[string]string{},
		perms: map[string]*Permission{}, permsBySlug: map[string]string{},
		factors: map[string]*Factor{}, factorsByUser: map[string]map[string]bool{},
		entropy: entropy, p: p,
	}
}

// newID makes prefix_ULID. IDs only ever grow, even if the clock steps
// back, so creation order and ID order agree for cursor pagination.
func (s *store) newID(prefix string, now time.Time) string {
	id, err := ulid.New(ulid.Timestamp(now), s.entropy)
	if err != nil || id.Compare(s.lastID) <= 0 {
		id = s.lastID
		inc := id.Entropy()
		for i := len(inc) - 1; i >= 0; i-- {
			inc[i]++
			if inc[i] != 0 {
				break
			}
		}
		if err := id.SetEntropy(inc); err != nil {
			panic(fmt.Sprintf("workosemu: ulid entropy: %v", err))
		}
	}
	s.lastID = id
	return prefix + id.String()
}

// noteID keeps lastID ahead of IDs loaded from storage.
func (s *store) noteID(id string) {
	i := strings.LastIndexByte(id, '_')
	u, err := ulid.ParseStrict(id[i+1:])
	if err == nil && u.Compare(s.lastID) > 0 {
		s.lastID = u
	}
}

func (s *store) persist(kind, id string, v any) error {
	if s.p == nil {
		return nil
	}
	if err := s.p.put(kind, id, v); err != nil {
		return fmt.Errorf("persist %s %s: %w", kind, id, err)
	}
	return nil
}

func (s *store) unpersist(kind, id string) error {
	if s.p == nil {
		return nil
	}
	if err := s.p.del(kind, id); err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, id, err)
	}
	return nil
}

// ---- users

func (s *store) putUser(u *User) error {
	if old, ok := s.users[u.ID]; ok {
		delete(s.usersByEmail, normEmail(old.Email))
		if old.ExternalID != nil {
			delete(s.usersByExt, *old.ExternalID)
		}
	}
	s.users[u.ID] = u
	s.userOrder.insert(u.ID)
	s.usersByEmail[normEmail(u.Email)] = u.ID
	if u.ExternalID != nil {
		s.usersByExt[*u.ExternalID] = u.ID
	}
	s.noteID(u.ID)
	return s.persist(kindUser, u.ID, u)
}

func (s *store) deleteUser(id string) error {
	u, ok := s.users[id]
	if !ok {
		return nil
	}
	for mid := range s.memsByUser[id] {
		if err := s.deleteMembership(mid); err != nil {
			return err
		}
	}
	for fid := range s.factorsByUser[id] {
		delete(s.factors, fid)
		s.factorOrder.remove(fid)
		if err := s.unpersist(kindFactor, fid); err != nil {
			return err
		}
	}
	delete(s.factorsByUser, id)
	delete(s.users, id)
	s.userOrder.remove(id)
	delete(s.usersByEmail, normEmail(u.Email))
	if u.ExternalID != nil {
		delete(s.usersByExt, *u.ExternalID)
	}
	return s.unpersist(kindUser, id)
}

// ---- organizations

func (s *store) putOrg(o *Organization) error {
	if old, ok := s.orgs[o.ID]; ok && old.ExternalID != nil {
		delete(s.orgsByExt, *old.ExternalID)
	}
	s.orgs[o.ID] = o
	s.orgOrder.insert(o.ID)
	if o.ExternalID != nil {
		s.orgsByExt[*o.ExternalID] = o.ID
	}
	s.noteID(o.ID)
	return s.persist(kindOrg, o.ID, o)
}

func (s *store) deleteOrg(id string) error {
	o, ok := s.orgs[id]
	if !ok {
		return nil
	}
	for mid := range s.memsByOrg[id] {
		if err := s.deleteMembership(mid); err != nil {
			return err
		}
	}
	for _, rid := range s.orgRoles[id] {
		delete(s.roles, rid)
		s.roleOrder.remove(rid)
		if err := s.unpersist(kindRole, rid); err != nil {
			return err
		}
	}
	delete(s.orgRoles, id)
	delete(s.orgs, id)
	s.orgOrder.remove(id)
	if o.ExternalID != nil {
		delete(s.orgsByExt, *o.ExternalID)
	}
	return s.unpersist(kindOrg, id)
}

// ---- memberships

func addIndex(m map[string]map[string]bool, k, id string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][id] = true
}

func (s *store) putMembership(m *Membership) error {
	s.mems[m.ID] = m
	s.memOrder.insert(m.ID)
	addIndex(s.memsByUser, m.UserID, m.ID)
	addIndex(s.memsByOrg, m.OrganizationID, m.ID)
	s.memByPair[[2]string{m.UserID, m.OrganizationID}] = m.ID
	s.noteID(m.ID)
	return s.persist(kindMembership, m.ID, m)
}

func (s *store) deleteMembership(id string) error {
	m, ok := s.mems[id]
	if !ok {
		return nil
	}
	delete(s.mems, id)
	s.memOrder.remove(id)
	delete(s.memsByUser[m.UserID], id)
	delete(s.memsByOrg[m.OrganizationID], id)
	delete(s.memByPair, [2]string{m.UserID, m.OrganizationID})
	return s.unpersist(kindMembership, id)
}

// ---- roles and permissions

func (s *store) putRole(r *Role) error {
	s.roles[r.ID] = r
	s.roleOrder.insert(r.ID)
	if r.OrganizationID == "" {
		s.envRoles[r.Slug] = r.ID
	} else {
		if s.orgRoles[r.OrganizationID] == nil {
			s.orgRoles[r.OrganizationID] = map[string]string{}
		}
		s.orgRoles[r.OrganizationID][r.Slug] = r.ID
	}
	s.noteID(r.ID)
	return s.persist(kindRole, r.ID, r)
}

// roleFor finds the role a membership in org may use: an environment role
// or one of org's custom roles.
func (s *store) roleFor(org, slug string) (*Role, bool) {
	if id, ok := s.orgRoles[org][slug]; ok {
		return s.roles[id], true
	}
	if id, ok := s.envRoles[slug]; ok {
		return s.roles[id], true
	}
	return nil, false
}

func (s *store) putPermission(p *Permission) error {
	s.perms[p.ID] = p
	s.permOrder.insert(p.ID)
	s.permsBySlug[p.Slug] = p.ID
	s.noteID(p.ID)
	return s.persist(kindPermission, p.ID, p)
}

func (s *store) putFactor(f *Factor) error {
	s.factors[f.ID] = f
	s.factorOrder.insert(f.ID)
	addIndex(s.factorsByUser, f.UserID, f.ID)
	s.noteID(f.ID)
	return s.persist(kindFactor, f.ID, f)
}

// loadFrom fills the store from its persister after a restart.
func (s *store) loadFrom(p persister) error {
	saved := s.p
	s.p = nil // do not write back what is being read
	defer func() { s.p = saved }()
	return p.load(func(kind string, body []byte) error {
		switch kind {
		case kindUser:
			var v User
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putUser(&v)
		case kindOrg:
			var v Organization
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putOrg(&v)
		case kindMembership:
			var v Membership
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putMembership(&v)
		case kindRole:
			var v Role
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putRole(&v)
		case kindPermission:
			var v Permission
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putPermission(&v)
		case kindFactor:
			var v Factor
			if err := json.Unmarshal(body, &v); err != nil {
				return err
			}
			return s.putFactor(&v)
		}
		return fmt.Errorf("unknown kind %q", kind)
	})
}

// snapshot deep-copies the store in creation order.
func (s *store) snapshot() State {
	var st State
	for _, id := range s.userOrder.ids {
		u := *s.users[id]
		u.Metadata = cloneMap(u.Metadata)
		st.Users = append(st.Users, u)
	}
	for _, id := range s.orgOrder.ids {
		o := *s.orgs[id]
		o.Metadata = cloneMap(o.Metadata)
		o.Domains = slices.Clone(o.Domains)
		st.Organizations = append(st.Organizations, o)
	}
	for _, id := range s.memOrder.ids {
		m := *s.mems[id]
		m.RoleSlugs = slices.Clone(m.RoleSlugs)
		st.Memberships = append(st.Memberships, m)
	}
	for _, id := range s.roleOrder.ids {
		r := *s.roles[id]
		r.Permissions = slices.Clone(r.Permissions)
		st.Roles = append(st.Roles, r)
	}
	for _, id := range s.permOrder.ids {
		st.Permissions = append(st.Permissions, *s.perms[id])
	}
	for _, id := range s.factorOrder.ids {
		st.Factors = append(st.Factors, *s.factors[id])
	}
	st.Counts = Counts{
		Users: len(st.Users), Organizations: len(st.Organizations), Memberships: len(st.Memberships),
		Roles: len(st.Roles), Permissions: len(st.Permissions), Factors: len(st.Factors),
	}
	return st
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
