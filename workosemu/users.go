package workosemu

import (
	"net/http"
	"sort"

	"github.com/mig-tools/mig/passhash"
)

// passwordFields applies the spec's mutual-exclusion rules for password,
// password_hash and password_hash_type, then checks the hash itself. The
// spec lists these codes flat (not inside user_creation_error) on both
// create and update.
func passwordFields(f fields) (password *string, hash, hashType string, bad *reply) {
	pw, pwSet, b := f.str("password")
	if b != nil {
		return nil, "", "", b
	}
	h, hSet, b := f.str("password_hash")
	if b != nil {
		return nil, "", "", b
	}
	ht, htSet, b := f.str("password_hash_type")
	if b != nil {
		return nil, "", "", b
	}
	if pwSet && hSet {
		r := errCode(http.StatusBadRequest, "password_and_password_hash_provided", "Only one of password or password_hash may be provided.")
		return nil, "", "", &r
	}
	if pwSet && htSet {
		r := errCode(http.StatusBadRequest, "password_and_password_hash_type_provided", "Only one of password or password_hash_type may be provided.")
		return nil, "", "", &r
	}
	if hSet != htSet {
		missing := "password_hash_type"
		if !hSet {
			missing = "password_hash"
		}
		r := errInvalidParams(missing, "required", missing+" is required when the other password hash field is given.")
		return nil, "", "", &r
	}
	if hSet {
		if err := passhash.Validate(ht, h); err != nil {
			r := errCode(http.StatusBadRequest, "invalid_password_hash", "%s", upperFirst(err.Error())+".")
			return nil, "", "", &r
		}
		return nil, h, ht, nil
	}
	if pwSet {
		return &pw, "", "", nil
	}
	return nil, "", "", nil
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func (s *Server) createUser(q *request) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	email, ok, bad := f.str("email")
	if bad != nil {
		return *bad
	}
	if !ok {
		return errInvalidParams("email", "required", "email is required.")
	}
	if !validEmail(email) {
		return errInvalidParams("email", "invalid_email", "email must be a valid email address.")
	}
	first, _, bad := f.nullableStr("first_name")
	if bad != nil {
		return *bad
	}
	last, _, bad := f.nullableStr("last_name")
	if bad != nil {
		return *bad
	}
	verified, _, bad := f.boolean("email_verified")
	if bad != nil {
		return *bad
	}
	ext, _, bad := f.externalID()
	if bad != nil {
		return *bad
	}
	md, _, bad := f.metadata("metadata")
	if bad != nil {
		return *bad
	}
	pw, hash, hashType, bad := passwordFields(f)
	if bad != nil {
		return *bad
	}
	if _, taken := s.st.usersByEmail[normEmail(email)]; taken {
		return errUserCreation("email_not_available", "This email is not available.")
	}
	if ext != nil {
		if _, taken := s.st.usersByExt[*ext]; taken {
			return errUserCreation("external_id_already_used", "This external ID is already in use.")
		}
	}
	now := s.now()
	if md == nil {
		md = map[string]string{}
	}
	u := &User{
		ID: s.st.newID("user_", now), Email: email, FirstName: first, LastName: last, EmailVerified: verified,
		ExternalID: ext, Metadata: md, PasswordHash: hash, PasswordHashType: hashType, PasswordSet: pw != nil,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.st.putUser(u); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: u.wire()}
}

func (s *Server) internal(err error) reply {
	s.log.Error("state write failed", "err", err)
	return errMessage(http.StatusInternalServerError, "Internal Server Error")
}

func (s *Server) getUser(q *request) reply {
	u, ok := s.st.users[q.params["id"]]
	if !ok {
		return errNotFound("User", q.params["id"])
	}
	return reply{status: http.StatusOK, body: u.wire()}
}

func (s *Server) getUserByExternalID(q *request) reply {
	id, ok := s.st.usersByExt[q.params["external_id"]]
	if !ok {
		return errNotFound("User", q.params["external_id"])
	}
	return reply{status: http.StatusOK, body: s.st.users[id].wire()}
}

func (s *Server) listUsers(q *request) reply {
	v := q.r.URL.Query()
	lq, bad := parseListQuery(v)
	if bad != nil {
		return *bad
	}
	var ids []string
	org := v.Get("organization_id")
	if org == "" {
		org = v.Get("organization")
	}
	email := v.Get("email")
	switch {
	case org != "":
		if _, ok := s.st.orgs[org]; !ok {
			return errMessage(http.StatusUnprocessableEntity, "Organization not found: '%s'.", org)
		}
		for mid := range s.st.memsByOrg[org] {
			uid := s.st.mems[mid].UserID
			if email == "" || normEmail(s.st.users[uid].Email) == normEmail(email) {
				ids = append(ids, uid)
			}
		}
		sort.Strings(ids)
	case email != "":
		if id, ok := s.st.usersByEmail[normEmail(email)]; ok {
			ids = []string{id}
		}
	default:
		ids = s.st.userOrder.ids
	}
	page, md := paginate(ids, lq)
	data := make([]any, 0, len(page))
	for _, id := range page {
		data = append(data, s.st.users[id].wire())
	}
	return listReply(data, md)
}

func (s *Server) updateUser(q *request) reply {
	u0, ok := s.st.users[q.params["id"]]
	if !ok {
		return errNotFound("User", q.params["id"])
	}
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	u := *u0
	if email, ok, bad := f.str("email"); bad != nil {
		return *bad
	} else if ok {
		if !validEmail(email) {
			return errCode(http.StatusBadRequest, "invalid_email", "The email address is not valid.")
		}
		if id, taken := s.st.usersByEmail[normEmail(email)]; taken && id != u.ID {
			return errCode(http.StatusBadRequest, "email_not_available", "This email is not available.")
		}
		u.Email = email
	}
	for _, k := range []struct {
		name string
		dst  **string
	}{{"first_name", &u.FirstName}, {"last_name", &u.LastName}, {"locale", &u.Locale}} {
		v, set, bad := f.nullableStr(k.name)
		if bad != nil {
			return *bad
		}
		if set {
			*k.dst = v
		}
	}
	if v, ok, bad := f.boolean("email_verified"); bad != nil {
		return *bad
	} else if ok {
		u.EmailVerified = v
	}
	if ext, set, bad := f.externalID(); bad != nil {
		return *bad
	} else if set {
		if ext != nil {
			if id, taken := s.st.usersByExt[*ext]; taken && id != u.ID {
				return errCode(http.StatusBadRequest, "external_id_already_used", "This external ID is already in use.")
			}
		}
		u.ExternalID = ext
	}
	// Metadata on update replaces the whole object, which is what the
	// spec's string-only schema allows (no null values to delete a key).
	if md, set, bad := f.metadata("metadata"); bad != nil {
		return *bad
	} else if set {
		u.Metadata = md
	}
	pw, hash, hashType, bad := passwordFields(f)
	if bad != nil {
		return *bad
	}
	switch {
	case pw != nil:
		u.PasswordSet, u.PasswordHash, u.PasswordHashType = true, "", ""
	case hash != "":
		u.PasswordSet, u.PasswordHash, u.PasswordHashType = false, hash, hashType
	}
	u.UpdatedAt = s.now()
	if err := s.st.putUser(&u); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK, body: u.wire()}
}

func (s *Server) deleteUser(q *request) reply {
	id := q.params["id"]
	if _, ok := s.st.users[id]; !ok {
		return errNotFound("User", id)
	}
	if err := s.st.deleteUser(id); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK}
}
