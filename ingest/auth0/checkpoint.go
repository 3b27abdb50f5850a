package auth0

import "maps"

// Phases of a fetch, in the order they run: SSO connections and the role
// catalog first (small, and member roles need the catalog's slugs), then
// users, then organizations with their members and member roles, so that
// mapping rows come after the users they name.
const (
	phaseSSO   = "sso"
	phaseRoles = "roles"
	phaseUsers = "users"
	phaseOrgs  = "organizations"
	phaseDone  = "done"
)

var phases = []string{phaseSSO, phaseRoles, phaseUsers, phaseOrgs}

// Checkpoint says how far a fetch got. Fetch reports one after each page
// whose records it handed to the sink; the caller stores it in the same
// transaction as those records (the staging database is the checkpoint),
// and gives the last stored one back to resume: pages before it are not
// requested again, and the records after it, which were not stored, are
// handed again. It is plain data, meant to be kept as JSON.
//
// Phase is the phase under way (every phase before it in the fixed order
// is finished); the other fields are that phase's cursor.
type Checkpoint struct {
	Phase string `json:"phase,omitempty"`
	// Engine is the users engine of the fetch: a checkpoint of one engine
	// cannot resume the other.
	Engine string `json:"engine,omitempty"`

	// Page is the next page to request (SSO connections; users through
	// the Management API).
	Page int `json:"page,omitempty"`

	// JobID is the users-exports job a bulk-job fetch created, whose file
	// ReadExport reads.
	JobID string `json:"job_id,omitempty"`

	// From is the cursor of the page of organizations under way ("" for
	// the first), Index how many organizations of that page (or of
	// Options.Orgs) are finished, OrgsDone how many in all.
	From     string `json:"from,omitempty"`
	Index    int    `json:"index,omitempty"`
	OrgsDone int    `json:"orgs_done,omitempty"`
	// MembersFrom is the cursor of the next page of members of the
	// organization under way; "" means it is not started. Rows counts the
	// members of it handed so far.
	MembersFrom string `json:"members_from,omitempty"`
	Rows        int    `json:"rows,omitempty"`

	// RoleSlugs maps each Auth0 role id to its slug, fixed once the
	// catalog is read, so that member roles get the same slugs after a
	// resume.
	RoleSlugs map[string]string `json:"role_slugs,omitempty"`
	// Warned lists the once-per-run warnings already given.
	Warned []string `json:"warned,omitempty"`
}

// Done reports whether the fetch finished.
func (c Checkpoint) Done() bool { return c.Phase == phaseDone }

// clone copies c, so that the caller may keep it while the fetch goes on.
func (c Checkpoint) clone() Checkpoint {
	c.RoleSlugs = maps.Clone(c.RoleSlugs)
	c.Warned = append([]string(nil), c.Warned...)
	return c
}

// next is the checkpoint at the start of phase: a fresh cursor, with what
// carries over from phase to phase.
func (c Checkpoint) next(phase string) Checkpoint {
	return Checkpoint{Phase: phase, Engine: c.Engine, JobID: c.JobID, RoleSlugs: c.RoleSlugs, Warned: c.Warned}
}
