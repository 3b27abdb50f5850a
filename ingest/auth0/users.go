package auth0

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
)

// apiUser is an Auth0 user as the users list and the users-exports job
// give it. Fields whose type Auth0 does not keep to (email_verified may be
// a string, an identity's user_id a number) are read raw.
type apiUser struct {
	UserID        string          `json:"user_id"`
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Username      string          `json:"username"`
	PhoneNumber   string          `json:"phone_number"`
	PhoneVerified json.RawMessage `json:"phone_verified"`
	Name          string          `json:"name"`
	GivenName     string          `json:"given_name"`
	FamilyName    string          `json:"family_name"`
	Identities    []identity      `json:"identities"`
	AppMetadata   json.RawMessage `json:"app_metadata"`
	UserMetadata  json.RawMessage `json:"user_metadata"`
	Blocked       json.RawMessage `json:"blocked"`
	CreatedAt     string          `json:"created_at"`
}

// identity is one of a user's linked identities.
type identity struct {
	Connection string          `json:"connection"`
	UserID     json.RawMessage `json:"user_id"`
	Provider   string          `json:"provider"`
	IsSocial   json.RawMessage `json:"isSocial"`
}

// exportFields are the fields a users-exports job is asked for: every
// field the mapping reads, so that both engines stage the same users.
var exportFields = []string{"user_id", "email", "email_verified", "username", "phone_number", "phone_verified",
	"name", "given_name", "family_name", "nickname", "picture", "identities", "app_metadata", "user_metadata",
	"blocked", "created_at", "updated_at", "last_login", "logins_count"}

// userResult is what one Auth0 user becomes: a user to stage with its
// memberships, or a skip with its reason; and the warnings either way.
type userResult struct {
	User     *ingest.User
	Skip     string // the reason, when the user is not staged
	SourceID string
	Email    string
	Raw      json.RawMessage // the user as Auth0 gave it, tokens masked
	Warnings []ingest.Warning
	Orgs     []ingest.OrgMappingRow
	// onceKeys, beside Warnings, names the once-per-run warnings among
	// them ("" for the others). Whether one is given is decided when the
	// user is handed over, in file order (settle), not when it is mapped:
	// the export engine maps several users at once, and the warning must
	// go with the first user that has it, whatever mapped first.
	onceKeys []string
}

// settle drops the once-per-run warnings of r given already, and marks the
// others given; it returns their keys.
func (m *mapper) settle(r *userResult) []string {
	if len(r.onceKeys) == 0 {
		return nil
	}
	var given []string
	kept := r.Warnings[:0]
	for i, w := range r.Warnings {
		if k := r.onceKeys[i]; k != "" {
			if !m.once(k) {
				continue
			}
			given = append(given, k)
		}
		kept = append(kept, w)
	}
	r.Warnings, r.onceKeys = kept, nil
	return given
}

// mapper turns Auth0 users into staged users. It remembers which
// once-per-run warnings it made, so a key's warning is not repeated for
// every user (nor, through the checkpoint, after a resume).
type mapper struct {
	o Options
	// warned holds the keys given. The export engine maps on several
	// goroutines, each asking about a user's keys: a sync.Map reads
	// without a lock.
	warned sync.Map
}

func newMapper(o Options, warned []string) *mapper {
	m := &mapper{o: o}
	for _, k := range warned {
		m.warned.Store(k, true)
	}
	return m
}

// once reports whether the once-per-run warning key is new, and marks it
// given.
func (m *mapper) once(key string) bool {
	_, given := m.warned.LoadOrStore(key, true)
	return !given
}

// given reports whether the once-per-run warning key was given: a mapper
// makes the warning only when not (settle decides).
func (m *mapper) given(key string) bool {
	_, ok := m.warned.Load(key)
	return ok
}

// Reasons a user is not staged.
const (
	reasonBlocked   = "blocked in Auth0; pass --include-blocked to stage blocked users"
	reasonNoEmail   = "no email address: WorkOS users need one"
	reasonPhoneOnly = "no email address (phone-only user): WorkOS users need one"
)

// mapUser maps one user object. An error means the object cannot be read
// at all (bad JSON, no user_id): the fetch stops there.
func (m *mapper) mapUser(obj []byte, file string, row int) (userResult, error) {
	a, err := decodeUser(obj)
	if err != nil {
		le := &ingest.LineError{File: file, Line: row, Msg: err.Error()}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			want := "a " + te.Type.String()
			if k := ingest.JSONKind(te.Type); k != "" {
				want = k
			}
			le.Field, le.Msg = te.Field, fmt.Sprintf("is a JSON %s, expected %s", te.Value, want)
		}
		return userResult{}, le
	}
	if a.UserID == "" {
		return userResult{}, &ingest.LineError{File: file, Line: row, Field: "user_id", Msg: "empty: every Auth0 user has one"}
	}
	appMeta, err := members(a.AppMetadata)
	if err != nil {
		return userResult{}, &ingest.LineError{File: file, Line: row, Field: "app_metadata", Msg: err.Error()}
	}
	userMeta, err := members(a.UserMetadata)
	if err != nil {
		return userResult{}, &ingest.LineError{File: file, Line: row, Field: "user_metadata", Msg: err.Error()}
	}
	r := userResult{SourceID: a.UserID, Email: strings.TrimSpace(a.Email), Raw: maskTokens(obj)}
	warn := func(code, msg string, ctx map[string]any) {
		r.Warnings = append(r.Warnings, ingest.Warning{Code: code, Message: msg, Entity: "user", SourceID: a.UserID, File: file, Row: row, Context: ctx})
		if r.onceKeys != nil {
			r.onceKeys = append(r.onceKeys, "")
		}
	}
	warnOnce := func(key, code string, msg func() string) {
		if m.given(key) {
			return
		}
		if r.onceKeys == nil {
			r.onceKeys = make([]string, len(r.Warnings), len(r.Warnings)+1)
		}
		warn(code, msg(), nil)
		r.onceKeys[len(r.onceKeys)-1] = key
	}
	blocked, _ := boolish(a.Blocked)
	switch {
	case blocked && !m.o.IncludeBlocked:
		r.Skip = reasonBlocked
		return r, nil
	case !m.o.IncludeFederated && federated(a.Identities):
		r.Skip = fmt.Sprintf("federated user: signs in only through %s, so has no password to move; pass --include-federated-users to stage it",
			strings.Join(providers(a.Identities), ", "))
		return r, nil
	case r.Email == "" && a.PhoneNumber != "":
		r.Skip = reasonPhoneOnly
		return r, nil
	case r.Email == "":
		r.Skip = reasonNoEmail
		return r, nil
	}

	u := &ingest.User{SourceID: a.UserID, Row: row, EmailRaw: r.Email, ExternalID: a.UserID, Username: a.Username, Raw: r.Raw}
	verified, ok := boolish(a.EmailVerified)
	switch {
	case ok:
	case len(a.EmailVerified) == 0 || string(a.EmailVerified) == "null":
		warn("email_verified_missing", "the user has no email_verified; it is staged as not verified", nil)
	default:
		warn("email_verified_unreadable", fmt.Sprintf("email_verified is %s, neither true nor false; it is staged as not verified", a.EmailVerified), nil)
	}
	u.EmailVerified = &verified
	u.Emails = []ingest.Email{{Email: r.Email, Verified: verified, Primary: true}}
	if p := strings.TrimSpace(a.PhoneNumber); p != "" {
		pv, _ := boolish(a.PhoneVerified)
		u.Phones = []ingest.Phone{{Phone: p, Verified: pv, Primary: true}}
	}
	u.FirstName, u.LastName = names(a)

	scratch := entriesPool.Get().(*[]ingest.MetadataEntry)
	defer func() {
		clear(*scratch)
		entriesPool.Put(scratch)
	}()
	meta := metadataEntries((*scratch)[:0], a, blocked)
	jsonValue := func(key, kind string) {
		warnOnce("json:"+key, "metadata_value_json", func() string {
			return fmt.Sprintf("%s is %s; WorkOS metadata values are strings, so it is stored as its JSON text", key, kind)
		})
	}
	meta = jsonEntries(meta, "app_metadata", appMeta, jsonValue)
	meta = jsonEntries(meta, "user_metadata", userMeta, jsonValue)
	var problems []ingest.MetadataProblem
	u.Metadata, problems = ingest.FitMetadata(meta)
	*scratch = meta
	for _, p := range problems {
		warn(p.Code, p.Message, map[string]any{"key": p.Key})
	}
	if blocked {
		warn("blocked_user_staged", "the user is blocked in Auth0, and WorkOS has no blocked state: once imported the user can sign in (metadata auth0_blocked says it was blocked)", nil)
	}
	r.User = u
	if m.o.UseMetadata && m.o.wants(EntityMemberships) {
		r.Orgs = m.metadataOrgs(a.UserID, appMeta, userMeta, row, warn, warnOnce)
	}
	return r, nil
}

// decodeUser reads an Auth0 user object. A valid object whose fields have
// the types apiUser expects is walked member by member (members), without
// encoding/json's reflection, which was most of the time of mapping a
// million-user export; anything else goes through encoding/json, which
// refuses what it refuses with its own error.
func decodeUser(obj []byte) (apiUser, error) {
	var a apiUser
	if a, ok := decodeUserFast(obj); ok {
		return a, nil
	}
	err := json.Unmarshal(obj, &a)
	return a, err
}

func decodeUserFast(obj []byte) (apiUser, bool) {
	var a apiUser
	if !utf8.Valid(obj) {
		return a, false
	}
	ok := true
	str := func(dst *string, raw []byte) {
		switch {
		case raw[0] == '"':
			*dst = jsonText(raw)
		case string(raw) != "null":
			ok = false
		}
	}
	valid := scanObject(obj, func(k, v []byte) bool {
		key, plain := keyBytes(k)
		if !plain {
			// An escaped key: encoding/json reads it.
			ok = false
			return false
		}
		switch string(key) {
		case "user_id":
			str(&a.UserID, v)
		case "email":
			str(&a.Email, v)
		case "username":
			str(&a.Username, v)
		case "phone_number":
			str(&a.PhoneNumber, v)
		case "name":
			str(&a.Name, v)
		case "given_name":
			str(&a.GivenName, v)
		case "family_name":
			str(&a.FamilyName, v)
		case "created_at":
			str(&a.CreatedAt, v)
		case "email_verified":
			a.EmailVerified = v
		case "phone_verified":
			a.PhoneVerified = v
		case "app_metadata":
			a.AppMetadata = v
		case "user_metadata":
			a.UserMetadata = v
		case "blocked":
			a.Blocked = v
		case "identities":
			a.Identities, ok = decodeIdentities(v)
		default:
			ok = otherKey(key, userKeys)
		}
		return ok
	})
	return a, valid && ok
}

// userKeys and identityKeys are the keys apiUser and identity read.
var (
	userKeys = map[string]bool{"user_id": true, "email": true, "email_verified": true, "username": true, "phone_number": true,
		"phone_verified": true, "name": true, "given_name": true, "family_name": true, "identities": true, "app_metadata": true,
		"user_metadata": true, "blocked": true, "created_at": true}
	identityKeys = map[string]bool{"connection": true, "user_id": true, "provider": true, "issocial": true}
)

// keyBytes is a member's key, unquoted, when it has no escape; plain is
// false otherwise.
func keyBytes(k []byte) (key []byte, plain bool) {
	k = k[1 : len(k)-1]
	return k, bytes.IndexByte(k, '\\') < 0
}

// otherKey reports whether key, read by none of the fields in known, is
// one encoding/json would not give one of them either: it matches keys
// without case ("EMAIL" fills Email, and so do the Kelvin sign and the
// long s, which fold to k and s), and such keys take its way.
func otherKey(key []byte, known map[string]bool) bool {
	if bytes.Contains(key, []byte("\u212a")) || bytes.Contains(key, []byte("\u017f")) {
		return false
	}
	var buf [64]byte
	if len(key) > len(buf) {
		return true // longer than every known key
	}
	lower := buf[:len(key)]
	for i, c := range key {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return !known[string(lower)]
}

// decodeIdentities reads the identities list, scanned already, when it has
// the shape apiUser expects; ok is false otherwise.
func decodeIdentities(v []byte) (ids []identity, ok bool) {
	switch v[0] {
	case 'n':
		return nil, true
	case '[':
	default:
		return nil, false
	}
	ok = true
	s := jscan{b: v, i: 1}
	for {
		s.ws()
		if s.b[s.i] == ']' {
			return ids, ok
		}
		if s.b[s.i] != '{' {
			return nil, false
		}
		var id identity
		s.object(1, func(k, v []byte) bool {
			key, plain := keyBytes(k)
			if !plain {
				ok = false
				return false
			}
			switch string(key) {
			case "connection", "provider":
				dst := &id.Connection
				if string(key) == "provider" {
					dst = &id.Provider
				}
				switch {
				case v[0] == '"':
					*dst = jsonText(v)
				case string(v) != "null":
					ok = false
				}
			case "user_id":
				id.UserID = v
			case "isSocial":
				id.IsSocial = v
			default:
				ok = otherKey(key, identityKeys)
			}
			return ok
		})
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}

// boolish reads a JSON boolean, or the strings "true" and "false" that
// Auth0 sends for some connections.
func boolish(raw json.RawMessage) (value, ok bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(raw)), `"`)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// federated reports whether every identity of a user is social or
// enterprise: no database (auth0) and no passwordless (email, sms)
// identity, so there is no password to move and no email-based sign-in.
func federated(ids []identity) bool {
	if len(ids) == 0 {
		return false
	}
	for _, id := range ids {
		switch id.Provider {
		case "auth0", "email", "sms":
			return false
		}
	}
	return true
}

func providers(ids []identity) []string {
	var out []string
	for _, id := range ids {
		if id.Provider != "" && !slices.Contains(out, id.Provider) {
			out = append(out, id.Provider)
		}
	}
	return out
}

// names are given_name and family_name; when both are absent, "name" split
// at its first space, unless it is the email address or a phone number,
// which Auth0 puts in "name" for passwordless users.
func names(a apiUser) (first, last string) {
	first, last = strings.TrimSpace(a.GivenName), strings.TrimSpace(a.FamilyName)
	if first != "" || last != "" {
		return first, last
	}
	n := strings.TrimSpace(a.Name)
	if n == "" || strings.Contains(n, "@") || n == strings.TrimSpace(a.PhoneNumber) || strings.HasPrefix(n, "+") {
		return "", ""
	}
	parts := strings.Fields(n)
	return parts[0], strings.Join(parts[1:], " ")
}

// tokenKeys are the keys Auth0 puts identity-provider tokens under (with
// the read:user_idp_tokens scope). They never reach the raw copy.
var tokenKeys = []string{"access_token", "access_token_secret", "refresh_token", "id_token"}

// maskTokens returns obj with every token value replaced. Nearly no user
// carries one, so the object is decoded only when "_token" is in its text
// (every key of tokenKeys has it).
func maskTokens(obj []byte) json.RawMessage {
	if !bytes.Contains(obj, []byte("_token")) {
		return json.RawMessage(obj)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return json.RawMessage(`{"masked":"the user object could not be read"}`)
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if slices.Contains(tokenKeys, k) {
					t[k] = "[masked]"
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	b, _ := json.Marshal(v)
	return b
}

// entriesPool holds the scratch lists of metadata entries: FitMetadata
// copies what it keeps, and a list a user is a tenth of what mapping it
// allocated.
var entriesPool = sync.Pool{New: func() any {
	e := make([]ingest.MetadataEntry, 0, 32)
	return &e
}}

// metadataEntries appends the Auth0 fields that WorkOS has no field for
// and that do not change as the user signs in, as metadata, first of a
// user's metadata.
func metadataEntries(e []ingest.MetadataEntry, a apiUser, blocked bool) []ingest.MetadataEntry {
	put := func(k, v string) { e = append(e, ingest.MetadataEntry{Key: k, Value: v}) }
	put("auth0_user_id", a.UserID)
	put("username", a.Username)
	if a.PhoneNumber != "" {
		put("phone_number", a.PhoneNumber)
		if v, ok := boolish(a.PhoneVerified); ok {
			put("phone_verified", strconv.FormatBool(v))
		}
	}
	if len(a.Identities) > 0 {
		put("auth0_identities", identitiesText(a.Identities))
	}
	// updated_at, last_login and logins_count move at every sign-in: in
	// metadata they would be stale in WorkOS at once, and every fetch
	// would find every active user changed. They stay in raw.
	put("auth0_created_at", a.CreatedAt)
	if blocked {
		put("auth0_blocked", "true")
	}
	return e
}

// identitiesText is the JSON list of a user's identities, without their
// profile data and tokens: [{"provider":...,"connection":...,"user_id":...}].
func identitiesText(ids []identity) string {
	buf := make([]byte, 0, 96*len(ids))
	buf = append(buf, '[')
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"provider":`...)
		buf = appendJSONString(buf, id.Provider)
		buf = append(buf, `,"connection":`...)
		buf = appendJSONString(buf, id.Connection)
		if uid := jsonText(id.UserID); uid != "" {
			buf = append(buf, `,"user_id":`...)
			buf = appendJSONString(buf, uid)
		}
		buf = append(buf, '}')
	}
	return string(append(buf, ']'))
}

// appendJSONString appends s as encoding/json writes it: plain printable
// ASCII is copied, anything else goes through encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// jsonEntries appends each top-level key of app_metadata or user_metadata
// as "app_metadata.KEY", in key order. Strings, numbers and booleans become
// their text; objects and lists their JSON text, which jsonValue is told of
// (kind "an object" or "a list"); null is no value.
func jsonEntries(e []ingest.MetadataEntry, name string, obj []member, jsonValue func(key, kind string)) []ingest.MetadataEntry {
	for _, mem := range obj {
		raw := mem.val
		if len(raw) == 0 || raw[0] == 'n' {
			continue
		}
		key := name + "." + mem.key
		switch raw[0] {
		case '{':
			jsonValue(key, "an object")
		case '[':
			jsonValue(key, "a list")
		}
		e = append(e, ingest.MetadataEntry{Key: key, Value: jsonText(raw)})
	}
	return e
}

// jsonText is a JSON value as metadata text: a string unquoted, anything
// else compacted. Export lines are compact already, and most strings have
// no escape, so both are usually a copy.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
			return string(raw[1 : len(raw)-1])
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	if bytes.IndexAny(raw, " \t\r\n") < 0 {
		return string(raw)
	}
	var c bytes.Buffer
	if json.Compact(&c, raw) != nil {
		return string(raw)
	}
	return c.String()
}

// metadataOrgs reads a user's memberships from the app_metadata fields
// named by the options (or user_metadata, when allowed and app_metadata
// has neither field).
func (m *mapper) metadataOrgs(userID string, appMeta, userMeta []member, row int, warn func(code, msg string, ctx map[string]any),
	warnOnce func(key, code string, msg func() string)) []ingest.OrgMappingRow {
	read := func(obj []member, from string) (ids, names []string, found bool) {
		get := func(field string) []string {
			if field == "" {
				return nil
			}
			j := sort.Search(len(obj), func(i int) bool { return obj[i].key >= field })
			if j == len(obj) || obj[j].key != field {
				return nil
			}
			raw := obj[j].val
			found = true
			vals, ok := textList(raw)
			if !ok {
				warn("metadata_org_unreadable", fmt.Sprintf("%s.%s is %s; it should be a string or a list of strings, so it gives no organization", from, field, raw),
					map[string]any{"field": from + "." + field})
			}
			return vals
		}
		return get(m.o.MetadataOrgIDField), get(m.o.MetadataOrgNameField), found
	}
	ids, orgNames, found := read(appMeta, "app_metadata")
	if !found && m.o.AllowUserMetadataOrg {
		ids, orgNames, found = read(userMeta, "user_metadata")
		if found {
			warnOnce("org_from_user_metadata", "org_from_user_metadata", func() string {
				return "memberships are read from user_metadata for users whose app_metadata has no organization field; users can edit user_metadata themselves, so check these memberships"
			})
		}
	}
	var rows []ingest.OrgMappingRow
	switch {
	case len(ids) > 0:
		for i, id := range ids {
			r := ingest.OrgMappingRow{Row: row, SourceUserID: userID, OrgExternalID: id}
			if len(orgNames) == len(ids) {
				r.OrgName = orgNames[i]
			}
			rows = append(rows, r)
		}
		if len(orgNames) > 0 && len(orgNames) != len(ids) {
			warn("metadata_org_names_mismatch", fmt.Sprintf("the organization fields hold %d ids and %d names, so the names cannot be paired with the ids and are not used", len(ids), len(orgNames)), nil)
		}
	default:
		for _, n := range orgNames {
			rows = append(rows, ingest.OrgMappingRow{Row: row, SourceUserID: userID, OrgName: n})
		}
	}
	return rows
}

// textList reads a JSON string, number or list of them as texts; empty
// strings are dropped.
func textList(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var items []json.RawMessage
	if raw[0] == '[' {
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
	} else {
		items = []json.RawMessage{raw}
	}
	var out []string
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) == 0 || it[0] == '{' || it[0] == '[' {
			return nil, false
		}
		if s := strings.TrimSpace(jsonText(it)); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}
