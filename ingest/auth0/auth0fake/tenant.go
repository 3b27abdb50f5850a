package auth0fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
)

// Tenant is what the fake serves: users, organizations with their members
// and member roles, the role catalog and the connections.
type Tenant struct {
	Users       Users
	Orgs        []Org
	Roles       []Role
	Connections []json.RawMessage
}

// Users is a tenant's user store. A generated tenant computes each user
// from its index, so a million-user tenant costs no memory in the fake.
type Users interface {
	// Len is the number of users.
	Len() int
	// At is user i as compact JSON, the object GET /api/v2/users returns.
	At(i int) []byte
	// Index finds a user by user_id.
	Index(userID string) (int, bool)
}

// Org is an Auth0 organization and who belongs to it.
type Org struct {
	ID          string
	Name        string
	DisplayName string
	Metadata    map[string]string
	// Members lists the user_ids of the members, in the order the members
	// endpoint returns them.
	Members func() []string
	// MemberRoles gives the role ids a member has in this organization.
	MemberRoles func(userID string) []string
}

// Role is a role of the tenant's catalog.
type Role struct {
	ID          string
	Name        string
	Description string
	Permissions []Permission
}

// Permission is one permission a role grants, as GET
// /api/v2/roles/{id}/permissions returns it.
type Permission struct {
	Name                     string `json:"permission_name"`
	Description              string `json:"description,omitempty"`
	ResourceServerIdentifier string `json:"resource_server_identifier"`
	ResourceServerName       string `json:"resource_server_name"`
}

// rawUsers is a user store held in memory: the fixture users.
type rawUsers struct {
	users [][]byte
	index map[string]int
}

func (r *rawUsers) Len() int        { return len(r.users) }
func (r *rawUsers) At(i int) []byte { return r.users[i] }
func (r *rawUsers) Index(id string) (int, bool) {
	i, ok := r.index[id]
	return i, ok
}

// NewUsers holds the given user objects (any JSON layout) in memory.
func NewUsers(objects ...[]byte) (Users, error) {
	r := &rawUsers{index: map[string]int{}}
	for i, o := range objects {
		var b bytes.Buffer
		if err := json.Compact(&b, o); err != nil {
			return nil, fmt.Errorf("user %d: %w", i, err)
		}
		var id struct {
			UserID string `json:"user_id"`
		}
		if err := json.Unmarshal(b.Bytes(), &id); err != nil || id.UserID == "" {
			return nil, fmt.Errorf("user %d has no user_id", i)
		}
		r.index[id.UserID] = len(r.users)
		r.users = append(r.users, b.Bytes())
	}
	return r, nil
}

// AddUserFiles adds the users of NDJSON files (one user object a line,
// as Auth0's users export and the public profile samples hold them) to a
// tenant whose users are held in memory (FixtureTenant, NewUsers).
func (t *Tenant) AddUserFiles(paths ...string) error {
	r, ok := t.Users.(*rawUsers)
	if !ok {
		return fmt.Errorf("users can be added only to a tenant held in memory, not to %T", t.Users)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var objs [][]byte
		for _, line := range bytes.Split(b, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) > 0 {
				objs = append(objs, line)
			}
		}
		more, err := NewUsers(objs...)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, u := range more.(*rawUsers).users {
			if err := r.add(u); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return nil
}

// add appends one compact user object, refusing a user_id held already.
func (r *rawUsers) add(u []byte) error {
	var id struct {
		UserID string `json:"user_id"`
	}
	json.Unmarshal(u, &id)
	if _, ok := r.index[id.UserID]; ok {
		return fmt.Errorf("user %s is in the tenant already", id.UserID)
	}
	r.index[id.UserID] = len(r.users)
	r.users = append(r.users, u)
	return nil
}

// readDir reads every .json file of dir in name order.
func readDir(dir string) ([][]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, c.Bytes())
	}
	return out, nil
}

// FixtureTenant serves the public sample users and connections in
// dir/api-users and dir/api-connections, with two organizations and a role
// catalog built around them: org_acme (display name "Acme Corp") holds the
// database and enterprise users, org_beta (no display name) two others; the
// catalog has "Admin" and "admin", whose slugs collide, and a role nobody
// holds.
func FixtureTenant(dir string) (*Tenant, error) {
	objs, err := readDir(filepath.Join(dir, "api-users"))
	if err != nil {
		return nil, err
	}
	users, err := NewUsers(objs...)
	if err != nil {
		return nil, err
	}
	conns, err := readDir(filepath.Join(dir, "api-connections"))
	if err != nil {
		return nil, err
	}
	t := &Tenant{Users: users}
	for _, c := range conns {
		t.Connections = append(t.Connections, c)
	}
	t.Roles = []Role{
		{ID: "rol_Admin000000001", Name: "Admin", Description: "Full access", Permissions: []Permission{
			{Name: "read:reports", ResourceServerIdentifier: "https://api.acme.test", ResourceServerName: "Acme API"},
			{Name: "write:reports", ResourceServerIdentifier: "https://api.acme.test", ResourceServerName: "Acme API"},
		}},
		{ID: "rol_admin000000002", Name: "admin", Description: "Legacy admin role"},
		{ID: "rol_Viewer00000003", Name: "Viewer", Permissions: []Permission{
			{Name: "read:reports", ResourceServerIdentifier: "https://api.acme.test", ResourceServerName: "Acme API"},
		}},
		{ID: "rol_Billing0000004", Name: "Billing Manager"},
	}
	acme := []string{"auth0|64abc123def4567890abcdef", "samlp|acme-saml|eve@acme.com", "waad|a74900dd-e48b-47b6-b212-306653d7f33d",
		"okta|00ue1234abcd5678", "google-apps|grace@acme.com", "adfs|acme-adfs|hector@acme.com", "auth0|multi_word_user"}
	beta := []string{"auth0|primary_karen_id", "google-oauth2|109876543210123456789", "auth0|64abc123def4567890abcdef"}
	roles := map[string][]string{
		"org_acme/auth0|64abc123def4567890abcdef": {"rol_Admin000000001", "rol_Viewer00000003"},
		"org_acme/samlp|acme-saml|eve@acme.com":   {"rol_admin000000002"},
		"org_beta/auth0|primary_karen_id":         {"rol_Viewer00000003"},
	}
	rolesOf := func(org string) func(string) []string {
		return func(u string) []string { return roles[org+"/"+u] }
	}
	t.Orgs = []Org{
		{ID: "org_acme", Name: "acme", DisplayName: "Acme Corp", Metadata: map[string]string{"tier": "gold"},
			Members: func() []string { return acme }, MemberRoles: rolesOf("org_acme")},
		{ID: "org_beta", Name: "beta",
			Members: func() []string { return beta }, MemberRoles: rolesOf("org_beta")},
	}
	return t, nil
}

// GenOptions shape a generated tenant.
type GenOptions struct {
	Users int
	Orgs  int    // default max(3, Users/200)
	Seed  uint64 // the same seed gives the same tenant
}

// Generate builds a tenant of o.Users users computed on demand from their
// index, with organizations, a role catalog and database connection. The
// users vary as real tenants do: some blocked, some federated (Google), some
// without email (SMS), email_verified sometimes a string, names sometimes
// only in "name", metadata with nested values and, now and then, a value
// over WorkOS's 600 characters.
func Generate(o GenOptions) *Tenant {
	if o.Orgs == 0 {
		o.Orgs = max(3, o.Users/200)
	}
	g := &genUsers{n: o.Users, orgs: o.Orgs, seed: o.Seed}
	t := &Tenant{Users: g}
	t.Roles = []Role{
		{ID: "rol_gen_admin", Name: "Org Admin", Description: "Administers the organization", Permissions: []Permission{
			{Name: "users:manage", ResourceServerIdentifier: "https://api.gen.test", ResourceServerName: "Gen API"},
			{Name: "billing:read", ResourceServerIdentifier: "https://api.gen.test", ResourceServerName: "Gen API"}}},
		{ID: "rol_gen_editor", Name: "Editor", Permissions: []Permission{
			{Name: "docs:write", ResourceServerIdentifier: "https://api.gen.test", ResourceServerName: "Gen API"}}},
		{ID: "rol_gen_viewer", Name: "Viewer", Permissions: []Permission{
			{Name: "docs:read", ResourceServerIdentifier: "https://api.gen.test", ResourceServerName: "Gen API"}}},
	}
	for k := range o.Orgs {
		org := Org{ID: fmt.Sprintf("org_gen%05d", k), Name: fmt.Sprintf("gen-org-%d", k)}
		if k%2 == 0 {
			org.DisplayName = fmt.Sprintf("Generated Org %d", k)
		}
		org.Members = func() []string { return g.members(k) }
		org.MemberRoles = func(userID string) []string {
			i, ok := g.Index(userID)
			if !ok || i%3 != 0 {
				return nil
			}
			return []string{t.Roles[(i/3)%len(t.Roles)].ID}
		}
		t.Orgs = append(t.Orgs, org)
	}
	t.Connections = []json.RawMessage{json.RawMessage(`{"id":"con_gendb0000000001","name":"Username-Password-Authentication","strategy":"auth0","enabled_clients":["client_gen"],"options":{}}`)}
	return t
}

// genUsers is the user store of a generated tenant.
type genUsers struct {
	n, orgs int
	seed    uint64

	once  sync.Once
	byOrg [][]int32
}

func (g *genUsers) Len() int { return g.n }

// At writes user i by hand: encoding/json would dominate the time of a
// million-user export.
func (g *genUsers) At(i int) []byte { return genUser(nil, i, g.seed, g.orgs) }

func (g *genUsers) Index(id string) (int, bool) {
	j := bytes.LastIndexByte([]byte(id), '|')
	if j < 0 {
		return 0, false
	}
	s := id[j+1:]
	s = s[len(s)-min(len(s), 8):]
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= g.n || userID(i, g.seed) != id {
		return 0, false
	}
	return i, true
}

// members lists organization k's members: every user whose index is k
// modulo the number of organizations, and every tenth user's next
// organization too, so some users belong to two.
func (g *genUsers) members(k int) []string {
	g.once.Do(func() {
		g.byOrg = make([][]int32, g.orgs)
		for i := range g.n {
			g.byOrg[i%g.orgs] = append(g.byOrg[i%g.orgs], int32(i))
			if i%10 == 0 && g.orgs > 1 {
				o := (i + 1) % g.orgs
				g.byOrg[o] = append(g.byOrg[o], int32(i))
			}
		}
	})
	ids := make([]string, len(g.byOrg[k]))
	for j, i := range g.byOrg[k] {
		ids[j] = userID(int(i), g.seed)
	}
	return ids
}

// mix is splitmix64: a well-spread hash of i, so each user's choices are
// random-looking yet computable from its index alone.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

var (
	firstNames = []string{"Ada", "Bruno", "Chloé", "Dmitri", "Eve", "Farah", "Gustav", "Hana", "Ibrahim", "Jun", "Kai", "Léa", "Mateo", "Nia", "Oscar", "Priya"}
	lastNames  = []string{"Okafor", "Müller", "García", "Nguyen", "Smith", "Kowalski", "Rossi", "Tanaka", "O'Brien", "van der Berg"}
	domains    = []string{"example.com", "example.org", "mail.example.net", "corp.example.io"}
	plans      = []string{"free", "pro", "enterprise"}
)

// userKind says what sort of user index i is.
func userKind(i int) string {
	switch {
	case i%83 == 5:
		return "sms" // no email: skipped
	case i%89 == 7:
		return "google" // federated: skipped by default
	}
	return "db"
}

// genConnection is the connection generated user i signs in with.
func genConnection(i int) string {
	switch userKind(i) {
	case "sms":
		return "sms"
	case "google":
		return "google-oauth2"
	}
	return "Username-Password-Authentication"
}

func userID(i int, seed uint64) string {
	switch userKind(i) {
	case "sms":
		return fmt.Sprintf("sms|%x%08d", mix(seed)&0xffff, i)
	case "google":
		return fmt.Sprintf("google-oauth2|1%07x%08d", mix(seed)&0xfffffff, i)
	}
	return fmt.Sprintf("auth0|%06x%08d", mix(seed)&0xffffff, i)
}

func genUser(dst []byte, i int, seed uint64, orgs int) []byte {
	h := mix(uint64(i) ^ seed)
	first, last := firstNames[h%uint64(len(firstNames))], lastNames[(h>>8)%uint64(len(lastNames))]
	kind := userKind(i)
	id := userID(i, seed)
	email := fmt.Sprintf("user%d@%s", i, domains[(h>>16)%uint64(len(domains))])
	str := func(k, v string) {
		dst = append(dst, ',', '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
		dst = strconv.AppendQuote(dst, v)
	}
	dst = append(dst, `{"user_id":`...)
	dst = strconv.AppendQuote(dst, id)
	if kind != "sms" {
		str("email", email)
		switch {
		case i%13 == 0:
			str("email_verified", strconv.FormatBool(h&1 == 0)) // Auth0 sometimes sends a string
		default:
			dst = append(dst, `,"email_verified":`...)
			dst = strconv.AppendBool(dst, i%5 != 0)
		}
	} else {
		str("phone_number", fmt.Sprintf("+1555%07d", i%10000000))
		dst = append(dst, `,"phone_verified":true`...)
	}
	if i%4 == 0 {
		str("name", first+" "+last) // only "name": split into first and last
	} else {
		str("name", first+" "+last)
		str("given_name", first)
		str("family_name", last)
	}
	str("nickname", fmt.Sprintf("user%d", i))
	if i%6 == 0 {
		str("username", fmt.Sprintf("user_%d", i))
	}
	conn, provider, social := genConnection(i), "auth0", "false"
	switch kind {
	case "sms":
		provider = "sms"
	case "google":
		provider, social = "google-oauth2", "true"
	}
	sub := id[bytes.IndexByte([]byte(id), '|')+1:]
	dst = append(dst, `,"identities":[{"connection":`...)
	dst = strconv.AppendQuote(dst, conn)
	dst = append(dst, `,"user_id":`...)
	dst = strconv.AppendQuote(dst, sub)
	dst = append(dst, `,"provider":`...)
	dst = strconv.AppendQuote(dst, provider)
	dst = append(dst, `,"isSocial":`...)
	dst = append(dst, social...)
	dst = append(dst, `}]`...)
	dst = append(dst, `,"app_metadata":{"plan":`...)
	dst = strconv.AppendQuote(dst, plans[(h>>24)%uint64(len(plans))])
	dst = append(dst, `,"org_id":`...)
	dst = strconv.AppendQuote(dst, fmt.Sprintf("org_gen%05d", i%max(orgs, 1)))
	dst = append(dst, `,"seats":`...)
	dst = strconv.AppendInt(dst, int64(h>>40)%500, 10)
	if i%3 == 0 {
		dst = append(dst, `,"tags":["beta","early"]`...)
	}
	if i%2000 == 1030 {
		// A key no earlier user has: its note comes well into the export.
		dst = append(dst, `,"legacy":{"migrated":true}`...)
	}
	dst = append(dst, `},"user_metadata":{"theme":`...)
	if h&2 == 0 {
		dst = append(dst, `"dark"`...)
	} else {
		dst = append(dst, `"light"`...)
	}
	dst = append(dst, `,"preferences":{"newsletter":`...)
	dst = strconv.AppendBool(dst, h&4 == 0)
	dst = append(dst, `}`...)
	if i%101 == 3 {
		dst = append(dst, `,"bio":`...)
		dst = strconv.AppendQuote(dst, string(bytes.Repeat([]byte("lorem ipsum "), 60))) // 720 characters
	}
	dst = append(dst, '}')
	if i%97 == 11 {
		dst = append(dst, `,"blocked":true`...)
	}
	day := 1 + i%28
	str("created_at", fmt.Sprintf("2023-%02d-%02dT10:00:00.000Z", 1+i%12, day))
	str("updated_at", fmt.Sprintf("2024-%02d-%02dT10:00:00.000Z", 1+i%12, day))
	if i%7 != 0 {
		str("last_login", fmt.Sprintf("2024-%02d-%02dT12:30:00.000Z", 1+i%12, day))
	}
	dst = append(dst, `,"logins_count":`...)
	dst = strconv.AppendInt(dst, int64(h>>48)%1000, 10)
	return append(dst, '}')
}
