package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/checks/passwords"
	"github.com/mig-tools/mig/emit"
	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/ingest/roles"
	"github.com/mig-tools/mig/pkgcontract"
)

// packageRules applies mig check's rules to a migration package while
// emit.Validate streams it, instead of ingesting the package into a
// throw-away staging database and running the SQL there (minutes at a
// million users, where streaming takes seconds).
//
// The rules judge what an ingest of the package would stage: users are
// built by the ingest's own code (migpackage.StagedUser), and the Go functions the
// SQL rules call (checks.EmailProblem, checks.MetadataProblem, ...) decide.
// The rest of each rule's condition is restated here from its .sql file;
// TestPackageRulesMatchStagedChecks runs both on the same packages and
// wants the same findings, rule by rule.
//
// Like the staged checks before them, the rules assume a package that meets
// the contract (emit.Validate found no error): the report is only used then.
// Some rules cannot fire on such a package; unreachableRules says why.
type packageRules struct {
	seed maphash.Seed

	mu       sync.Mutex
	findings map[string]*ruleFindings

	// users.csv rows wait in userBatch, then userQueue, for the goroutine
	// that judges them (queueUser).
	userBatch []userCells
	userCells []string // the cells of userBatch
	userQueue chan []userCells
	usersDone sync.WaitGroup

	// users finds the users of users.csv, once it has been read. A user is
	// known here by its line there.
	users   emit.UserIndex
	orgRows map[string]orgRow // organizations.csv by org key

	// Org-mapping lines (the org columns of users.csv and
	// organization_memberships.csv): distinct statements, and each staged
	// user's membership.
	stmts    map[string]uint32 // joined fields -> index in stmtList
	first    []place           // by statement index: its first line
	members  chunked[userRef]  // user -> statement index of mapping lines of staged users
	stmtList []orgStmt

	// Role-mapping lines (role_slugs cells and user_role_assignments.csv).
	roleTuples map[string]uint32 // joined fields -> index in tupleList
	tupleList  []roleTuple
	// slugCells caches the tuples of a row's role_slugs cell and
	// organization: rows repeat the same few.
	slugCells map[string][]uint32
	// key is where map keys are joined: a lookup of m[string(key)] does
	// not allocate, and a map keyed by one string hashes several times
	// faster than one keyed by a struct of strings.
	key       []byte
	roleLines chunked[roleLine]
	assigned  bitset // users user_role_assignments.csv names
	// assignedAll is set once user_role_assignments.csv has been read:
	// from then on a mapping line's roles are dropped as soon as its user
	// is known to be assigned (FileRead).
	assignedAll bool

	// role_definitions.csv.
	roleDefs map[[2]string]bool // (slug, scope key)
	orgRoles map[string]bool    // slugs defined as an organization role
	envRoles map[string]bool    // slugs defined as an environment role
	ensured  map[string]bool    // organizations a role definition stages

	totp     map[[2]uint64]bool // (user email, secret) already enrolled
	reserved map[string]bool    // metadata key -> has a WorkOS field's name
}

// unreachableRules are the rules of sqlqueries/checks that cannot fire on a
// package that meets the contract, with the reason. Every other rule is
// applied; a test keeps the two lists complete.
var unreachableRules = map[string]string{
	"email_missing":                  "ingest skips a user without an email, and validate-package reports it (missing_email)",
	"email_duplicate":                "validate-package reports users sharing an email (duplicate_email), with the same normalisation",
	"email_duplicate_across_sources": "a package is one source",
	"email_verified_not_boolean":     "ingest stages email_verified as 1, 0 or nothing",
	"external_id_duplicate":          "users are keyed by external id, and validate-package reports repeats (duplicate_external_id)",
	"password_hash_incomplete":       "ingest stages a password hash only with its type",
	"password_reset_required":        "a user is staged to reset only for a hash without a type or of a type WorkOS does not take, which validate-package reports as errors",
	"org_mapping_both_ids":           "validate-package reports rows with both org_id and org_external_id (org_id_conflict)",
}

type orgRow struct{ named bool }

// orgStmt is a mapping line's organization columns, trimmed.
type orgStmt struct{ id, ext, name string }

// key is the org_key the org_mapping_rows generated column gives the line.
func (s orgStmt) key() string {
	switch {
	case s.id != "":
		return "id:" + s.id
	case s.ext != "":
		return "ext:" + s.ext
	case s.name != "":
		return "name:" + s.name
	}
	return ""
}

// place orders lines as ingest inserts them: users.csv, then
// organization_memberships.csv, then user_role_assignments.csv.
type place struct {
	file uint8
	line uint32
}

func (a place) less(b place) bool { return a.file < b.file || a.file == b.file && a.line < b.line }

var fileOrder = map[string]uint8{"users": 0, "memberships": 1, "userRoleAssignments": 2, "totpSecrets": 3, "roleDefinitions": 4, "organizations": 5}

type userRef struct {
	user uint32 // the user's line in users.csv
	stmt uint32
}

type roleTuple struct{ slug, orgID, ext string }

// roleLine is one role-mapping line, in 12 bytes: there are millions.
type roleLine struct {
	user uint32 // the user's line in users.csv
	bits uint32 // the index in tupleList, the file (2 bits) and whether the user is staged
	line uint32
}

const (
	lineKnown     = 1 << 31
	lineFileShift = 29
	lineIndexMask = 1<<lineFileShift - 1
)

func newRoleLine(user uint32, tuple uint32, at place, known bool) roleLine {
	bits := tuple | uint32(at.file)<<lineFileShift
	if known {
		bits |= lineKnown
	}
	return roleLine{user: user, bits: bits, line: at.line}
}

func (l roleLine) known() bool   { return l.bits&lineKnown != 0 }
func (l roleLine) tuple() uint32 { return l.bits & lineIndexMask }
func (l roleLine) at() place     { return place{uint8(l.bits >> lineFileShift & 3), l.line} }

// fromFile is whether the line is one of user_role_assignments.csv.
func (l roleLine) fromFile() bool { return l.at().file == fileOrder["userRoleAssignments"] }

// chunked is an append-only list kept in blocks of chunkLen items: the
// lists of mapping and role lines have an item per line, millions, and a
// slice grown by append may leave half its array unused, and holds the old
// array and the new one at once while it copies.
type chunked[T any] struct{ blocks [][]T }

const chunkLen = 1 << 14

func (c *chunked[T]) add(x T) {
	if n := len(c.blocks); n == 0 || len(c.blocks[n-1]) == chunkLen {
		c.blocks = append(c.blocks, make([]T, 0, chunkLen))
	}
	last := &c.blocks[len(c.blocks)-1]
	*last = append(*last, x)
}

// all yields the items in the order they were added.
func (c *chunked[T]) all() iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, b := range c.blocks {
			for _, x := range b {
				if !yield(x) {
					return
				}
			}
		}
	}
}

// filter keeps the items keep is true of, in order, freeing each block once
// its items are moved.
func (c *chunked[T]) filter(keep func(T) bool) {
	old := c.blocks
	c.blocks = nil
	for i, b := range old {
		for _, x := range b {
			if keep(x) {
				c.add(x)
			}
		}
		old[i] = nil
	}
}

// bitset is a set of users by line: a bit each.
type bitset []uint64

func (b *bitset) set(i uint32) {
	for int(i/64) >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i uint32) bool { return int(i/64) < len(b) && b[i/64]&(1<<(i%64)) != 0 }

type ruleFindings struct {
	n        int
	examples []example
}

type example struct {
	at place
	f  checks.Finding
}

func newPackageRules() *packageRules {
	return &packageRules{
		seed:       maphash.MakeSeed(),
		findings:   map[string]*ruleFindings{},
		orgRows:    map[string]orgRow{},
		stmts:      map[string]uint32{},
		roleTuples: map[string]uint32{},
		slugCells:  map[string][]uint32{},
		roleDefs:   map[[2]string]bool{},
		orgRoles:   map[string]bool{},
		envRoles:   map[string]bool{},
		ensured:    map[string]bool{},
		totp:       map[[2]uint64]bool{},
		reserved:   map[string]bool{},
	}
}

func (p *packageRules) hash(s string) uint64 { return maphash.String(p.seed, s) }

// examplesPerRule is how many findings of a rule the report shows, as
// checks.Run's default.
const examplesPerRule = 3

// find records a finding of rule at a place of the package.
func (p *packageRules) find(rule, entity, sourceID string, at place, format string, args ...any) {
	r := p.findings[rule]
	if r == nil {
		r = &ruleFindings{}
		p.findings[rule] = r
	}
	r.n++
	row := int64(at.line)
	ex := example{at: at, f: checks.Finding{Rule: rule, Entity: entity, SourceID: sourceID, RowNumber: &row,
		Message: fmt.Sprintf(format, args...)}}
	i, _ := slices.BinarySearchFunc(r.examples, ex, func(a, b example) int {
		if a.at.less(b.at) {
			return -1
		}
		if b.at.less(a.at) {
			return 1
		}
		return 0
	})
	if i < examplesPerRule {
		r.examples = slices.Insert(r.examples, i, ex)
		if len(r.examples) > examplesPerRule {
			r.examples = r.examples[:examplesPerRule]
		}
	}
}

// Row implements emit.RowRules. Rows of different files may come at once;
// the rules' work per row is small next to reading it, so one lock does.
func (p *packageRules) Row(key string, line int, get func(string) string) {
	at := place{fileOrder[key], uint32(line)}
	if key == "users" {
		p.queueUser(at, get)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch key {
	case "organizations":
		id, ext, name := get("org_id"), get("org_external_id"), get("org_name")
		k, _ := roles.OrgKey(id, ext, name)
		p.orgRows[k] = orgRow{named: name != "" || p.orgRows[k].named}
	case "memberships":
		p.membershipRow(at, get)
	case "roleDefinitions":
		p.roleDefinition(at, get)
	case "userRoleAssignments":
		user, known := p.resolveUser(get)
		p.assigned.set(user)
		t := p.tuple(get("role_slug"), get("org_id"), get("org_external_id"))
		p.roleLines.add(newRoleLine(user, t, at, known))
	case "totpSecrets":
		p.totpRow(at, get)
	}
}

// userCells is a users.csv row, its cells in the contract's column order
// (a slice of its batch's one array).
type userCells struct {
	at    place
	cells []string
}

// userBatchSize is how many users.csv rows go to the judging goroutine at
// once.
const userBatchSize = 1024

// userColumn is the index of each users.csv column in userCells.cells.
var userColumn = func() map[string]int {
	f, _ := pkgcontract.FileByKey("users")
	m := make(map[string]int, len(f.Header))
	for i, c := range f.Header {
		m[c] = i
	}
	return m
}()

// queueUser hands a users.csv row to a goroutine of its own, in batches:
// users.csv is the longest file, and its rules would otherwise add to the
// goroutine that reads and checks it while the other CPU has little to do.
// UsersRead waits for the queue to drain.
func (p *packageRules) queueUser(at place, get func(string) string) {
	if p.userQueue == nil {
		p.userQueue = make(chan []userCells, 4)
		p.usersDone.Add(1)
		go func() {
			defer p.usersDone.Done()
			for batch := range p.userQueue {
				p.mu.Lock()
				for i := range batch {
					cells := batch[i].cells
					p.userRow(batch[i].at, func(col string) string {
						if j, ok := userColumn[col]; ok {
							return cells[j]
						}
						return ""
					})
				}
				p.mu.Unlock()
			}
		}()
	}
	if p.userBatch == nil {
		p.userBatch = make([]userCells, 0, userBatchSize)
		p.userCells = make([]string, userBatchSize*len(userColumn))
	}
	n := len(userColumn)
	r := userCells{at: at, cells: p.userCells[len(p.userBatch)*n : (len(p.userBatch)+1)*n]}
	for col, i := range userColumn {
		r.cells[i] = get(col)
	}
	p.userBatch = append(p.userBatch, r)
	if len(p.userBatch) == userBatchSize {
		p.userQueue <- p.userBatch
		p.userBatch = nil
	}
}

// drainUsers waits until every queued users.csv row has been judged.
func (p *packageRules) drainUsers() {
	if p.userQueue == nil {
		return
	}
	if len(p.userBatch) > 0 {
		p.userQueue <- p.userBatch
		p.userBatch = nil
	}
	close(p.userQueue)
	p.usersDone.Wait()
	p.userQueue = nil
}

func (p *packageRules) userRow(at place, get func(string) string) {
	u := migpackage.StagedUser(get, int(at.line))
	if u == nil {
		return
	}
	email := ingest.NormalizeEmail(u.EmailRaw)
	sid := u.SourceID
	find := func(rule, format string, args ...any) { p.find(rule, "user", sid, at, format, args...) }

	if problem := checks.EmailProblem(email); problem != "" {
		find("email_syntax", "email %q is not a valid address: %s", u.EmailRaw, problem)
	}
	if u.EmailRaw != email && sqlLower(u.EmailRaw) != u.EmailRaw {
		find("email_not_lowercase", "email %s has capital letters", u.EmailRaw)
	}
	if fields := checks.EdgeSpace(u.EmailRaw, u.FirstName, u.LastName, u.ExternalID, u.Username); fields != "" {
		find("whitespace", "leading or trailing whitespace in %s", fields)
	}
	if u.ExternalID != "" {
		if !printableASCII(u.ExternalID) {
			find("external_id_non_ascii", "external_id %q has characters outside printable ASCII", u.ExternalID)
		}
		if n := utf8.RuneCountInString(u.ExternalID); n > 128 {
			find("external_id_too_long", "external_id is %d characters; WorkOS takes at most 128", n)
		}
	}
	if len(u.Metadata) > 0 && metadataMayFail(u.Metadata) {
		meta, _ := json.Marshal(u.Metadata) // as ingest.User.Encode stages it
		if problem := checks.MetadataProblem(string(meta)); problem != "" {
			find("metadata_limits", "%s", problem)
		}
	}
	for k := range u.Metadata {
		if p.reservedKey(k) {
			find("metadata_reserved_key", "metadata key %q has the name of a WorkOS user field", k)
		}
	}
	noPassword := u.PasswordHash == "" && u.Password == ""
	if noPassword && (u.EmailVerified == nil || !*u.EmailVerified) {
		find("no_password_unverified_email", "no password and email %s is not verified: the user cannot sign in without a reset", email)
	}
	if u.PasswordHash != "" && u.PasswordHashType != "" {
		if err := passwords.Validate(u.PasswordHashType, u.PasswordHash); err != nil {
			find("password_hash_invalid", "%v", err)
		}
	}
	if u.Password != "" {
		find("password_plaintext", "plaintext password in the export")
	}
	if noPassword && u.SourceDigest != "" {
		find("password_reset_required", "password hashed with %q, which WorkOS cannot import: this user will have to reset the password", u.SourceHasher)
	}
	p.mappingLine(at, at.line, true, get)
}

// metadataMayFail is false when checks.MetadataProblem surely finds nothing
// in staged metadata, which holds strings only: at most 50 keys of at most
// 40 characters, values of at most 600. It saves encoding and parsing a
// million objects; a test holds these limits to checks.MetadataProblem's.
func metadataMayFail(m map[string]string) bool {
	if len(m) > 50 {
		return true
	}
	for k, v := range m {
		if len(k) > 40 && utf8.RuneCountInString(k) > 40 || len(v) > 600 && utf8.RuneCountInString(v) > 600 {
			return true
		}
	}
	return false
}

// reservedKey asks checks.ReservedMetadataKeys about a metadata key once.
// Keys are few (the same handful on every user), but a package could give
// each user new ones, so the answers kept are capped.
func (p *packageRules) reservedKey(k string) bool {
	if r, ok := p.reserved[k]; ok {
		return r
	}
	b, _ := json.Marshal(map[string]string{k: ""})
	r := len(checks.ReservedMetadataKeys(string(b))) > 0
	if len(p.reserved) < 10000 {
		p.reserved[k] = r
	}
	return r
}

// FileRead implements emit.FileReader. Once user_role_assignments.csv
// has been read, the role lines users.csv made for the users it names are
// dropped: roleRules would skip them, and at a million users they are most
// of the role lines.
func (p *packageRules) FileRead(key string) {
	if key != "userRoleAssignments" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.assignedAll = true
	p.roleLines.filter(func(l roleLine) bool { return l.fromFile() || !p.assigned.has(l.user) })
}

// UsersRead implements emit.UsersReader.
func (p *packageRules) UsersRead(users emit.UserIndex) {
	p.drainUsers()
	p.users = users
}

// resolveUser finds the staged user a row names, as ingest's userResolver
// does: by external_id, else by email, else by user_id taken as the source
// id, which is an external id or, for a user without one, an email (a
// user_id that is the email of a user who has an external id is taken for
// that user here, and for none by ingest: the package names the user by id
// alone, which validate-package warns about). known is false when no
// staged user is so named; user is then 0.
func (p *packageRules) resolveUser(get func(string) string) (user uint32, known bool) {
	var line int
	switch ext, email, id := get("external_id"), get("email"), get("user_id"); {
	case ext != "":
		line, known = p.users.ByExternalID(ext)
	case email != "":
		line, known = p.users.ByEmail(email)
	case id != "":
		if line, known = p.users.ByExternalID(id); !known && id == ingest.NormalizeEmail(id) {
			line, known = p.users.ByEmail(id)
		}
	}
	return uint32(line), known
}

func (p *packageRules) membershipRow(at place, get func(string) string) {
	user, known := p.resolveUser(get)
	if !known && (get("org_id") != "" || get("org_external_id") != "" || get("org_name") != "") {
		name := get("external_id")
		if name == "" {
			name = get("email")
		}
		if name == "" {
			name = get("user_id")
		}
		p.find("mapping_unknown_user", "org_mapping", name, at, "line %d of organization_memberships.csv maps user %s, who is not in the package", at.line, name)
	}
	p.mappingLine(at, user, known, get)
}

// mappingLine records the org-mapping and role-mapping lines a users or
// memberships row makes (pkg's addMappings).
func (p *packageRules) mappingLine(at place, user uint32, known bool, get func(string) string) {
	orgID, ext, name := get("org_id"), get("org_external_id"), get("org_name")
	if s := (orgStmt{orgID, ext, name}); s.key() != "" {
		p.joinKey(orgID, ext, name)
		i, ok := p.stmts[string(p.key)]
		if !ok {
			i = uint32(len(p.stmtList))
			p.stmts[string(p.key)] = i
			p.stmtList = append(p.stmtList, s)
			p.first = append(p.first, at)
		} else if at.less(p.first[i]) {
			p.first[i] = at
		}
		if known {
			p.members.add(userRef{user, i})
		}
	}
	cell := get("role_slugs")
	if cell == "" {
		return
	}
	p.joinKey(cell, orgID, ext)
	tuples, ok := p.slugCells[string(p.key)]
	if !ok {
		key := string(p.key)
		for _, slug := range ingest.SplitMulti(cell) {
			tuples = append(tuples, p.tuple(slug, orgID, ext))
		}
		if len(p.slugCells) < 1<<16 {
			p.slugCells[key] = tuples
		}
	}
	if p.assignedAll && p.assigned.has(user) {
		return // the user gets exactly the roles user_role_assignments.csv gives
	}
	for _, t := range tuples {
		p.roleLines.add(newRoleLine(user, t, at, known))
	}
}

// tuple returns the index of a role line's slug and organization.
func (p *packageRules) tuple(slug, orgID, ext string) uint32 {
	t := roleTuple{strings.TrimSpace(slug), orgID, ext}
	p.joinKey(t.slug, orgID, ext)
	i, ok := p.roleTuples[string(p.key)]
	if !ok {
		i = uint32(len(p.tupleList))
		p.roleTuples[string(p.key)] = i
		p.tupleList = append(p.tupleList, t)
	}
	return i
}

// joinKey sets p.key to the fields, each ended by a NUL.
func (p *packageRules) joinKey(fields ...string) {
	p.key = p.key[:0]
	for _, f := range fields {
		p.key = append(append(p.key, f...), 0)
	}
}

func (p *packageRules) roleDefinition(at place, get func(string) string) {
	slug, typ := get("role_slug"), strings.ToLower(get("role_type"))
	orgID, ext := get("org_id"), get("org_external_id")
	if typ == "" {
		typ = "environment"
		if orgID != "" || ext != "" {
			typ = "organization"
		}
	}
	scope := ""
	if typ == "organization" {
		scope, _ = roles.OrgKey(orgID, ext, "")
		p.ensured[scope] = true
		p.orgRoles[slug] = true
	} else {
		p.envRoles[slug] = true
	}
	p.roleDefs[[2]string{slug, scope}] = true
	switch {
	case !validSlug(slug):
		p.find("role_slug_invalid", "role", slug, at, "role slug %q must be lower-case letters, digits, _ and - only", slug)
	case typ == "organization" && !strings.HasPrefix(slug, "org-"):
		p.find("role_slug_invalid", "role", slug, at, "organization role %q must start with org-", slug)
	}
}

func (p *packageRules) totpRow(at place, get func(string) string) {
	email := ingest.NormalizeEmail(get("email"))
	secret := strings.ToUpper(strings.ReplaceAll(get("totp_secret"), " ", ""))
	k := [2]uint64{p.hash(email), p.hash(secret)}
	if p.totp[k] {
		return
	}
	p.totp[k] = true
	if problem := totpProblem(secret); problem != "" {
		p.find("totp_secret_invalid", "totp", email, at, "%s", problem)
	}
}

// totpProblem restates totp_secret_invalid.sql's conditions on a staged
// secret.
func totpProblem(secret string) string {
	trimmed := strings.TrimRight(secret, "=")
	n := utf8.RuneCountInString(trimmed)
	switch {
	case strings.IndexFunc(secret, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7' || r == '=') }) >= 0:
		return "TOTP secret has characters outside Base32 (A-Z, 2-7)"
	case strings.Contains(trimmed, "="):
		return `TOTP secret has "=" padding before its end`
	case strings.HasSuffix(secret, "=") && utf8.RuneCountInString(secret)%8 != 0:
		return "TOTP secret padding is wrong: its length is not a multiple of 8"
	case n%8 == 1 || n%8 == 3 || n%8 == 6:
		return fmt.Sprintf("TOTP secret has a Base32 length (%d) that no byte string has", n)
	case n < 16:
		return fmt.Sprintf("TOTP secret is %d characters (%d bits); at least 16 (80 bits) are needed", n, n*5)
	}
	return ""
}

// validSlug is role_slug_invalid.sql's test: not empty, and only a-z, 0-9,
// _ and - (GLOB '*[^a-z0-9_-]*').
func validSlug(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}

// sqlLower is SQLite's lower(): ASCII letters only.
func sqlLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// printableASCII is mig_printable_ascii: every byte from space to ~.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// finish applies the rules that need every file: organizations, mapping
// conflicts, role assignments. It returns the report in the shape of
// checks.Run's.
func (p *packageRules) finish(source string) (*checks.Report, error) {
	p.drainUsers()
	p.orgRules()
	p.roleRules()
	all, err := checks.Rules()
	if err != nil {
		return nil, err
	}
	rep := &checks.Report{}
	for _, r := range all {
		rr := checks.RuleResult{Rule: r}
		if f := p.findings[r.Name]; f != nil {
			rr.Findings = f.n
			for _, ex := range f.examples {
				ex.f.Severity, ex.f.Source = r.Severity, source
				rr.Examples = append(rr.Examples, ex.f)
			}
		}
		rep.Rules = append(rep.Rules, rr)
	}
	return rep, nil
}

// stagedOrgs returns the keys of the organizations ingest stages: those of
// organizations.csv, of the mapping lines and of organization roles.
func (p *packageRules) stagedOrgs() map[string]bool {
	keys := make(map[string]bool, len(p.orgRows)+len(p.stmtList)+len(p.ensured))
	for k := range p.orgRows {
		keys[k] = true
	}
	for _, s := range p.stmtList {
		keys[s.key()] = true
	}
	for k := range p.ensured {
		keys[k] = true
	}
	return keys
}

// orgRules applies org_lookup_only and org_mapping_conflict.
func (p *packageRules) orgRules() {
	// An organization known only by external id gets a name from
	// organizations.csv or from any mapping line that gives one.
	named := map[string]bool{}
	firstAt := map[string]place{}
	for k, r := range p.orgRows {
		named[k] = named[k] || r.named
		firstAt[k] = place{fileOrder["organizations"], 0}
	}
	for i, s := range p.stmtList {
		k := s.key()
		if s.id == "" && s.name != "" {
			named[k] = true
		}
		if at, ok := firstAt[k]; !ok || p.first[i].less(at) {
			firstAt[k] = p.first[i]
		}
	}
	for k := range p.ensured {
		if _, ok := firstAt[k]; !ok {
			firstAt[k] = place{fileOrder["roleDefinitions"], 0}
		}
	}
	members := map[uint32]int{}
	for m := range p.members.all() {
		members[m.stmt]++
	}
	perKey := map[string]int{}
	for i, s := range p.stmtList {
		perKey[s.key()] += members[uint32(i)]
	}
	keys := sortedKeys(firstAt)
	for _, k := range keys {
		ext, ok := strings.CutPrefix(k, "ext:")
		if ok && !named[k] {
			p.find("org_lookup_only", "organization", ext, firstAt[k],
				"organization with external id %s has no name and no org_id: it can only be looked up in WorkOS, so it must already exist there; %d membership line(s) depend on it", ext, perKey[k])
		}
	}

	// org_mapping_conflict.sql over the distinct statements.
	type group struct {
		values map[string]bool
		first  place
	}
	groups := map[string]*group{}
	claim := func(kind, by, value string, at place) {
		g := groups[kind+"\x00"+by]
		if g == nil {
			g = &group{values: map[string]bool{}, first: at}
			groups[kind+"\x00"+by] = g
		}
		g.values[value] = true
		if at.less(g.first) {
			g.first = at
		}
	}
	for i, s := range p.stmtList {
		at, k := p.first[i], s.key()
		if strings.HasPrefix(k, "id:") && s.ext != "" {
			claim("ids", k, s.ext, at)
		}
		if s.name != "" {
			claim("names", k, s.name, at)
			claim("name", s.name, k, at)
		}
		if s.ext != "" {
			claim("ext", s.ext, k, at)
		}
	}
	for _, gk := range sortedKeys(groups) {
		g := groups[gk]
		if len(g.values) < 2 {
			continue
		}
		kind, by, _ := strings.Cut(gk, "\x00")
		vals := strings.Join(sortedKeys(g.values), ", ")
		var msg string
		switch kind {
		case "ids":
			msg = by + " is given external ids " + vals
		case "names":
			msg = by + " is given different names: " + vals
		case "ext":
			msg = "external id " + by + " identifies different organizations on different lines: " + vals
		default:
			msg = "name " + by + " identifies different organizations on different lines: " + vals
		}
		p.find("org_mapping_conflict", "org_mapping", by, g.first, "%s (first at line %d)", msg, g.first.line)
	}
}

// roleRules applies org_not_created (for role lines), role_slug_invalid
// (for assigned slugs) and role_undefined to the role assignments ingest
// would make.
func (p *packageRules) roleRules() {
	type group struct {
		n     int
		first place
	}
	groups := map[[2]string]*group{} // (slug, scope key)
	add := func(slug, scope string, at place) {
		g := groups[[2]string{slug, scope}]
		if g == nil {
			g = &group{first: at}
			groups[[2]string{slug, scope}] = g
		}
		g.n++
		if at.less(g.first) {
			g.first = at
		}
	}
	var walk []roleLine // assignments without an organization of slugs defined only in organizations
	orgs := p.stagedOrgs()
	for l := range p.roleLines.all() {
		// A user user_role_assignments.csv names gets exactly its roles.
		if !l.fromFile() {
			if p.assigned.has(l.user) {
				continue
			}
		}
		t := p.tupleList[l.tuple()]
		if !l.known() || t.slug == "" {
			continue
		}
		scope := ""
		if t.orgID != "" || t.ext != "" {
			scope = "id:" + t.orgID
			if t.orgID == "" {
				scope = "ext:" + t.ext
			}
			if !orgs[scope] {
				p.find("org_not_created", "role_mapping", t.slug, l.at(), "line %d gives role %s in %s, which no organization stages", l.line, t.slug, scope)
				continue
			}
		}
		if scope == "" && p.orgRoles[t.slug] && !p.envRoles[t.slug] {
			walk = append(walk, l)
			continue
		}
		add(t.slug, scope, l.at())
	}
	if len(walk) > 0 {
		orgsOf := map[uint32][]string{}
		need := map[uint32]bool{}
		for _, l := range walk {
			need[l.user] = true
		}
		for m := range p.members.all() {
			if need[m.user] {
				k := p.stmtList[m.stmt].key()
				if !slices.Contains(orgsOf[m.user], k) {
					orgsOf[m.user] = append(orgsOf[m.user], k)
				}
			}
		}
		for _, l := range walk {
			slug := p.tupleList[l.tuple()].slug
			if len(orgsOf[l.user]) == 0 {
				add(slug, "", l.at())
			}
			for _, k := range orgsOf[l.user] {
				add(slug, k, l.at())
			}
		}
	}
	invalid := map[string]place{}
	for _, k := range sortedKeys(groups) {
		slug, scope := k[0], k[1]
		g := groups[k]
		if at, seen := invalid[slug]; !validSlug(slug) && (!seen || g.first.less(at)) {
			invalid[slug] = g.first
		}
		if p.roleDefs[[2]string{slug, ""}] || p.roleDefs[[2]string{slug, scope}] {
			continue
		}
		in := ""
		if scope != "" {
			in = " in " + scope
		}
		p.find("role_undefined", "role_assignment", slug, g.first, "role %s%s is assigned to %d line(s) but not defined in the package: it must already exist in WorkOS", slug, in, g.n)
	}
	for _, slug := range sortedKeys(invalid) {
		p.find("role_slug_invalid", "role_assignment", slug, invalid[slug], "role slug %q must be lower-case letters, digits, _ and - only", slug)
	}
}

// sortedKeys returns a map's keys in order, for deterministic reports.
func sortedKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int { return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return keys
}

var _ emit.RowRules = (*packageRules)(nil)
