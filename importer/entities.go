package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer/workosapi"
)

// idempotencyKey names a create request by what it creates and by the
// row's attempt, so that where WorkOS replays a key the same try sent
// twice gets its first answer, while a row tried again in a later run
// (--retry-failed after its cause was fixed, or a resume) gets a new key
// and a new answer instead of the stored failure. A resumed row never
// counts on a replay: it looks its object up first.
func (b rowBase) idempotencyKey(entity string, parts ...string) string {
	h := sha256.New()
	for _, p := range append(parts, "attempt", strconv.FormatInt(b.Attempts, 10)) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "mig-" + entity + "-" + hex.EncodeToString(h.Sum(nil))[:32]
}

func done(outcome, workosID string) result {
	return result{status: statusDone, outcome: outcome, workosID: workosID}
}

// conflict reports whether WorkOS says the object exists already.
func conflict(err error) bool {
	ae, ok := workosapi.AsAPIError(err)
	if !ok {
		return false
	}
	return ae.Status == http.StatusConflict || strings.HasSuffix(ae.Code, "_conflict") ||
		ae.Has("external_id_already_used") || ae.Has("email_not_available") || ae.Has("user_already_exists") ||
		ae.Has("organization_membership_already_exists")
}

func notFound(err error) bool {
	ae, ok := workosapi.AsAPIError(err)
	return ok && ae.Status == http.StatusNotFound
}

// --- permissions

type permissionRow struct {
	rowBase
	Slug        string `db:"slug"`
	Name        string `db:"name"`
	Description string `db:"description"`
}

// permission creates a permission; one that exists already (a conflict,
// also what a resumed run meets) is adopted.
func (r *runner) permission(ctx context.Context, p permissionRow) result {
	created, err := r.api.CreatePermission(workosapi.WithIdempotencyKey(ctx, p.idempotencyKey("permission", p.Slug)), p.Slug, p.Name, p.Description)
	if err == nil {
		return done(outcomeCreated, created.ID)
	}
	if !conflict(err) {
		return r.failure(ctx, err)
	}
	found, ferr := r.api.FindPermission(ctx, p.Slug)
	if ferr != nil {
		return r.failure(ctx, ferr)
	}
	if found == nil {
		return r.failure(ctx, err)
	}
	return done(outcomeAdopted, found.ID)
}

// --- roles

type roleRow struct {
	rowBase
	Slug         string `db:"slug"`
	Name         string `db:"name"`
	Description  string `db:"description"`
	Type         string `db:"type"`
	Permissions  string `db:"permissions"`
	OrgID        int64  `db:"organization_id"`
	OrgStatus    string `db:"org_status"`
	OrgWorkOSID  string `db:"org_workos_id"`
	OrgKey       string `db:"org_key"`
	OrgRetryable bool   `db:"org_retryable"`
}

// role creates an environment or organization role (adopting one that
// exists), then sets its permissions, which replaces what WorkOS had: the
// staged definition is the one the source had.
func (r *runner) role(ctx context.Context, ro roleRow) result {
	orgID := ""
	if ro.OrgID != 0 {
		if res, ok := dependency("organization", ro.OrgKey, ro.OrgStatus, "", ro.OrgRetryable); !ok {
			return res
		}
		orgID = ro.OrgWorkOSID
	}
	var perms []string
	if err := json.Unmarshal([]byte(ro.Permissions), &perms); err != nil {
		return result{status: statusFailed, code: "invalid_staged_row", message: "roles.permissions is not a JSON array: " + err.Error()}
	}
	res := done(outcomeCreated, ro.WorkOSID)
	if ro.WorkOSID == "" {
		created, err := r.api.CreateRole(workosapi.WithIdempotencyKey(ctx, ro.idempotencyKey("role", orgID, ro.Slug)), orgID, ro.Slug, ro.Name, ro.Description)
		switch {
		case err == nil:
			res.workosID = created.ID
		case conflict(err):
			found, ferr := r.api.FindRole(ctx, orgID, ro.Slug)
			if ferr != nil {
				return r.failure(ctx, ferr)
			}
			if found == nil {
				return r.failure(ctx, err)
			}
			res = done(outcomeAdopted, found.ID)
		default:
			return r.failure(ctx, err)
		}
	}
	if len(perms) > 0 {
		if _, err := r.api.SetRolePermissions(ctx, orgID, ro.Slug, perms); err != nil {
			return r.failure(ctx, err)
		}
	}
	return res
}

// --- organizations

type orgRow struct {
	rowBase
	OrgKey     string `db:"org_key"`
	Resolution string `db:"resolution"`
	GivenID    string `db:"given_id"`
	ExternalID string `db:"external_id"`
	Name       string `db:"name"`
	Domains    string `db:"domains"`
	Metadata   string `db:"metadata"`
}

// organization resolves a staged organization to a WorkOS one, as its
// resolution says: by id (must exist), by external id (must exist, unless
// --create-orgs and a name), by external id creating it when missing, or by
// name creating it when missing. Every path looks up before it creates, so
// a row in flight after a crash needs nothing more.
func (r *runner) organization(ctx context.Context, o orgRow) result {
	switch o.Resolution {
	case "org_id":
		found, err := r.api.GetOrganization(ctx, o.GivenID)
		if err != nil {
			return r.failure(ctx, err)
		}
		if found == nil {
			return result{status: statusFailed, httpStatus: http.StatusNotFound, code: "organization_not_found",
				message: fmt.Sprintf("no WorkOS organization has id %s (org_id in the mapping); check the id and the environment of the API key", o.GivenID)}
		}
		return done(outcomeAdopted, found.ID)
	case "external_id", "external_id_create":
		found, err := r.api.FindOrganizationByExternalID(ctx, o.ExternalID)
		if err != nil {
			return r.failure(ctx, err)
		}
		if found != nil {
			return done(outcomeAdopted, found.ID)
		}
		if o.Resolution == "external_id" && (!r.opts.CreateOrgs || o.Name == "") {
			msg := fmt.Sprintf("no WorkOS organization has external_id %q; create it in WorkOS first", o.ExternalID)
			if o.Name == "" {
				msg += ", or give it a name (org_name in the mapping) and run mig import --create-orgs"
			} else {
				msg += ", or run mig import --create-orgs"
			}
			return result{status: statusFailed, httpStatus: http.StatusNotFound, code: "organization_not_found", message: msg}
		}
		name := o.Name
		if name == "" {
			name = o.ExternalID
		}
		return r.createOrg(ctx, o, name)
	case "name":
		found, err := r.api.FindOrganizationsByName(ctx, o.Name)
		if err != nil {
			return r.failure(ctx, err)
		}
		switch len(found) {
		case 0:
			return r.createOrg(ctx, o, o.Name)
		case 1:
			return done(outcomeAdopted, found[0].ID)
		default:
			return result{status: statusFailed, code: "organization_name_ambiguous",
				message: fmt.Sprintf("%d WorkOS organizations are named %q; map these users by org_id or org_external_id instead", len(found), o.Name)}
		}
	}
	return result{status: statusFailed, code: "invalid_staged_row", message: "unknown organization resolution " + o.Resolution}
}

func (r *runner) createOrg(ctx context.Context, o orgRow, name string) result {
	var domains []string
	json.Unmarshal([]byte(o.Domains), &domains)
	opts := organizations.CreateOrganizationOpts{
		Name: name, ExternalID: o.ExternalID, Metadata: stringMap(o.Metadata),
		IdempotencyKey: o.idempotencyKey("organization", o.OrgKey, name, o.Domains, o.Metadata),
	}
	// Domains arrive pending: verifying them is the customer's act, and a
	// verified domain changes how WorkOS routes sign-ins.
	for _, d := range domains {
		opts.DomainData = append(opts.DomainData, organizations.OrganizationDomainData{Domain: d, State: organizations.Pending})
	}
	created, err := r.orgs.CreateOrganization(ctx, opts)
	if err == nil {
		return done(outcomeCreated, created.ID)
	}
	if conflict(err) && o.ExternalID != "" {
		found, ferr := r.api.FindOrganizationByExternalID(ctx, o.ExternalID)
		if ferr == nil && found != nil {
			return done(outcomeAdopted, found.ID)
		}
	}
	return r.failure(ctx, err)
}

// stringMap reads a staged metadata object; WorkOS metadata values are
// strings, so other JSON values are sent as their JSON text.
func stringMap(js string) map[string]string {
	var raw map[string]json.RawMessage
	out := map[string]string{}
	if json.Unmarshal([]byte(js), &raw) != nil {
		return out
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		} else if string(v) != "null" {
			out[k] = string(v)
		}
	}
	return out
}

// --- users

type userRow struct {
	rowBase
	StagedID         int64  `db:"staged_id"`
	SourceID         string `db:"source_id"`
	Email            string `db:"email"`
	FirstName        string `db:"first_name"`
	LastName         string `db:"last_name"`
	EmailVerified    bool   `db:"email_verified"`
	Password         string `db:"password"`
	PasswordHash     string `db:"password_hash"`
	PasswordHashType string `db:"password_hash_type"`
	ExternalID       string `db:"external_id"`
	Metadata         string `db:"metadata"`
	ContentHash      string `db:"content_hash"`
}

// user creates a user, updates one WorkOS has already (a delta import),
// reconciles one that was in flight when a run died, and adopts one that
// exists in WorkOS already so that it still gets its memberships and
// factors, unless that user is someone else's (see otherOwner). The
// WorkOS user a row gets is claimed for it, so no other row of the run
// can take it.
func (r *runner) user(ctx context.Context, u userRow) result {
	res := r.sendUser(ctx, u)
	if res.status == statusDone {
		r.claim(res.workosID, u)
	}
	return res
}

func (r *runner) sendUser(ctx context.Context, u userRow) result {
	if u.WorkOSID != "" {
		res := r.updateUser(ctx, u)
		if res.status != statusFailed || res.httpStatus != http.StatusNotFound {
			return res
		}
		// Deleted in WorkOS since it was imported: create it again.
	} else if u.recovered(ctx) {
		found, err := r.findUser(ctx, u)
		if err != nil {
			return r.failure(ctx, err)
		}
		if found != nil {
			// Maybe created by the try that got no answer, maybe not: it
			// was found, not created, and the summary says so.
			return r.adopt(ctx, u, found, nil, refound)
		}
	}
	opts := usermanagement.CreateUserOpts{
		Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, EmailVerified: u.EmailVerified,
		ExternalID: u.ExternalID, Metadata: stringMap(u.Metadata),
	}
	switch {
	case u.PasswordHash != "":
		opts.PasswordHash, opts.PasswordHashType = u.PasswordHash, usermanagement.PasswordHashType(u.PasswordHashType)
	case u.Password != "":
		opts.Password = u.Password
	}
	created, err := r.um.CreateUser(workosapi.WithIdempotencyKey(ctx, u.idempotencyKey("user", strconv.FormatInt(u.ItemID, 10), u.Email, u.ContentHash)), opts)
	if err == nil {
		res := done(outcomeCreated, created.ID)
		res.importedHash = u.ContentHash
		return res
	}
	if !conflict(err) {
		return r.failure(ctx, err)
	}
	found, ferr := r.findUser(ctx, u)
	if ferr != nil {
		return r.failure(ctx, ferr)
	}
	if found == nil {
		return r.failure(ctx, err)
	}
	if u.ExternalID != "" && found.ExternalID != nil && *found.ExternalID == u.ExternalID {
		// Ours, or a copy of this staging database's: a try whose answer
		// was lost, or an import from another copy, went through.
		return r.adopt(ctx, u, found, err, refound)
	}
	return r.adopt(ctx, u, found, err, "a WorkOS user with this email existed already; it was adopted as it is (its profile and password were not changed)")
}

// adopt gives row u the WorkOS user found, which u's request did not
// create, unless it is someone else's; cause is the conflict that led to
// it, if any.
func (r *runner) adopt(ctx context.Context, u userRow, found *workosapi.User, cause error, message string) result {
	other, err := r.otherOwner(ctx, u, found, cause)
	if err != nil {
		return r.failure(ctx, fmt.Errorf("look for the owner of WorkOS user %s in the staging database: %w", found.ID, err))
	}
	if other != nil {
		return *other
	}
	res := done(outcomeAdopted, found.ID)
	res.message = message
	res.importedHash = u.ContentHash
	return res
}

// refound is the message of a user found in WorkOS by lookup rather than
// created by this row's request.
const refound = "found in WorkOS by lookup (an earlier try, run or copy of this database may have created it); adopted as it is"

// findUser looks a staged user up in WorkOS: by external id, else by email.
func (r *runner) findUser(ctx context.Context, u userRow) (*workosapi.User, error) {
	if u.ExternalID != "" {
		found, err := r.api.FindUserByExternalID(ctx, u.ExternalID)
		if err != nil || found != nil {
			return found, err
		}
	}
	if u.Email == "" {
		return nil, nil
	}
	return r.api.FindUserByEmail(ctx, u.Email)
}

func (r *runner) updateUser(ctx context.Context, u userRow) result {
	body := workosapi.UserUpdate{
		Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		EmailVerified: u.EmailVerified, ExternalID: u.ExternalID, Metadata: stringMap(u.Metadata),
	}
	switch {
	case u.PasswordHash != "":
		body.PasswordHash, body.PasswordHashType = u.PasswordHash, u.PasswordHashType
	case u.Password != "":
		body.Password = u.Password
	}
	updated, err := r.api.UpdateUser(ctx, u.WorkOSID, body)
	if err != nil {
		return r.failure(ctx, err)
	}
	res := done(outcomeUpdated, updated.ID)
	res.importedHash = u.ContentHash
	return res
}

// --- memberships

type membershipRow struct {
	rowBase
	UserSourceID  string `db:"user_source_id"`
	Email         string `db:"email"`
	OrgKey        string `db:"org_key"`
	RoleSlugs     string `db:"role_slugs"`
	UserStatus    string `db:"user_status"`
	UserWorkOSID  string `db:"user_workos_id"`
	UserRetryable bool   `db:"user_retryable"`
	UserError     string `db:"user_error"`
	OrgStatus     string `db:"org_status"`
	OrgWorkOSID   string `db:"org_workos_id"`
	OrgRetryable  bool   `db:"org_retryable"`
}

// membership puts a user in an organization with every role slug in one
// call; where WorkOS refuses several roles it falls back to the first and
// records a warning. One that exists already is adopted.
func (r *runner) membership(ctx context.Context, m membershipRow) result {
	if res, ok := dependency("user", m.Email, m.UserStatus, m.UserError, m.UserRetryable); !ok {
		return res
	}
	if res, ok := dependency("organization", m.OrgKey, m.OrgStatus, "", m.OrgRetryable); !ok {
		return res
	}
	var slugs []string
	if err := json.Unmarshal([]byte(m.RoleSlugs), &slugs); err != nil {
		return result{status: statusFailed, code: "invalid_staged_row", message: "role_slugs is not a JSON array: " + err.Error()}
	}
	send, warn := slugs, (*warning)(nil)
	if len(slugs) > 1 && r.multipleRolesOff.Load() {
		send, warn = slugs[:1], r.oneRoleWarning(m, slugs)
	}

	if m.WorkOSID != "" {
		updated, err := r.api.UpdateMembership(ctx, m.WorkOSID, send)
		if err == nil {
			res := done(outcomeUpdated, updated.ID)
			res.importedHash, res.warning = m.RoleSlugs, warn
			return res
		}
		if !notFound(err) {
			return r.failure(ctx, err)
		}
	} else if m.recovered(ctx) {
		found, err := r.api.FindMembership(ctx, m.UserWorkOSID, m.OrgWorkOSID)
		if err != nil {
			return r.failure(ctx, err)
		}
		if found != nil {
			res := done(outcomeCreated, found.ID)
			res.importedHash = m.RoleSlugs
			return res
		}
	}

	key := func(s []string) context.Context {
		return workosapi.WithIdempotencyKey(ctx, m.idempotencyKey("membership", m.UserWorkOSID, m.OrgWorkOSID, strings.Join(s, ",")))
	}
	created, err := r.api.CreateMembership(key(send), m.UserWorkOSID, m.OrgWorkOSID, send)
	if ae, ok := workosapi.AsAPIError(err); ok && ae.Has("multiple_roles_not_enabled") && len(send) > 1 {
		r.multipleRolesOff.Store(true)
		send, warn = slugs[:1], r.oneRoleWarning(m, slugs)
		created, err = r.api.CreateMembership(key(send), m.UserWorkOSID, m.OrgWorkOSID, send)
	}
	outcome := outcomeCreated
	if err != nil && conflict(err) {
		found, ferr := r.api.FindMembership(ctx, m.UserWorkOSID, m.OrgWorkOSID)
		if ferr != nil {
			return r.failure(ctx, ferr)
		}
		if found == nil {
			return r.failure(ctx, err)
		}
		created, err, outcome = *found, nil, outcomeAdopted
	}
	if err != nil {
		return r.failure(ctx, err)
	}
	res := done(outcome, created.ID)
	res.importedHash, res.warning = m.RoleSlugs, warn
	switch {
	case warn != nil:
		res.message = warn.message
	case outcome == outcomeAdopted:
		res.message = "the membership existed in WorkOS already; its roles were left as they were (" + strings.Join(created.RoleSlugs, ", ") + ")"
	}
	return res
}

func (r *runner) oneRoleWarning(m membershipRow, slugs []string) *warning {
	return &warning{
		code: "multiple_roles_not_enabled", entity: "membership", sourceID: m.UserSourceID,
		message: fmt.Sprintf("the WorkOS environment does not allow several roles per membership: %s in %s got %s only (staged: %s); enable Multiple Roles and run mig import again to update it",
			m.Email, m.OrgKey, slugs[0], strings.Join(slugs, ", ")),
		context: map[string]any{"org_key": m.OrgKey, "sent": slugs[:1], "dropped": slugs[1:]},
	}
}

// --- TOTP factors

type totpRow struct {
	rowBase
	UserSourceID  string `db:"user_source_id"`
	Email         string `db:"email"`
	Secret        string `db:"secret"`
	Issuer        string `db:"issuer"`
	UserLabel     string `db:"user_label"`
	UserStatus    string `db:"user_status"`
	UserWorkOSID  string `db:"user_workos_id"`
	UserOutcome   string `db:"user_outcome"`
	UserRetryable bool   `db:"user_retryable"`
	UserError     string `db:"user_error"`
}

// totp enrolls a user's TOTP factor with its secret, so the user's
// authenticator app keeps working. Enrolment is not unique in WorkOS (a
// user may hold several factors), so unless mig created the user in this
// database and nothing since (outcome created), the user's factors are
// listed first and one of type totp is kept as it is: a user adopted or
// re-found after a 409 or a crash, or a row in flight after a crash, may
// hold one already.
func (r *runner) totp(ctx context.Context, t totpRow) result {
	if res, ok := dependency("user", t.Email, t.UserStatus, t.UserError, t.UserRetryable); !ok {
		return res
	}
	if t.recovered(ctx) || t.UserOutcome != outcomeCreated {
		factors, err := r.api.ListFactors(ctx, t.UserWorkOSID)
		if err != nil {
			return r.failure(ctx, err)
		}
		for _, f := range factors {
			if f.Type == "totp" {
				res := done(outcomeAdopted, f.ID)
				res.message = "the WorkOS user already had a TOTP factor; the staged secret was not enrolled again"
				return res
			}
		}
	}
	label := t.UserLabel
	if label == "" {
		label = t.Email
	}
	issuer := t.Issuer
	if issuer == "" {
		issuer = "WorkOS"
	}
	ctx2 := workosapi.WithIdempotencyKey(ctx, t.idempotencyKey("totp", t.UserWorkOSID, t.Secret))
	f, text, err := r.api.EnrollTOTP(ctx2, t.UserWorkOSID, issuer, label, t.Secret)
	if err != nil {
		return r.failure(ctx, err)
	}
	if f.ID == "" {
		return result{status: statusFailed, code: codeInvalidAnswer,
			message: "WorkOS answered the enrolment without a factor id, so it cannot be recorded as done: " + excerpt(text)}
	}
	return done(outcomeCreated, f.ID)
}

// excerpt shortens an answer's text for a message.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(empty body)"
	}
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
