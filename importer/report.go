package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
)

// ErrorGroup is one cause of failure: every failed (or skipped for a
// cause) row of one entity with the same status, code, sub-codes and
// retryability, with one example and the fix to apply.
type ErrorGroup struct {
	Entity           string   `json:"entity" db:"entity"`
	Status           string   `json:"status" db:"status"`
	HTTPStatus       int      `json:"http_status,omitempty" db:"http_status"`
	Code             string   `json:"code" db:"error_code"`
	SubcodesJSON     string   `json:"-" db:"error_subcodes"`
	Subcodes         []string `json:"subcodes,omitempty"`
	Retryable        bool     `json:"retryable" db:"retryable"`
	Rows             int64    `json:"rows" db:"n"`
	ExampleMessage   string   `json:"example_message" db:"example_message"`
	ExampleRow       string   `json:"example_row" db:"example_row"`
	ExampleRequestID string   `json:"example_request_id,omitempty" db:"example_request_id"`
	Fix              string   `json:"fix"`
	// Doc is the section of the troubleshooting page that explains the
	// cause at length (see Doc).
	Doc string `json:"doc"`
}

// Errors groups the import's failures by cause, most frequent first.
func Errors(ctx context.Context, q sqlx.QueryerContext) ([]ErrorGroup, error) {
	var gs []ErrorGroup
	if err := sqlx.SelectContext(ctx, q, &gs, sqlqueries.MustLoad("importer/errors.sql").SQL); err != nil {
		return nil, fmt.Errorf("import errors: %w", err)
	}
	for i := range gs {
		g := &gs[i]
		json.Unmarshal([]byte(g.SubcodesJSON), &g.Subcodes)
		g.Entity = displayName(g.Entity)
		g.Fix = Fix(g.Code, g.Subcodes, g.HTTPStatus, g.Retryable)
		g.Doc = Doc(g.Code, g.Subcodes, g.HTTPStatus, g.Retryable)
	}
	return gs, nil
}

// TroubleshootingPage is the page, relative to the root of mig's
// repository, that explains every cause `mig errors` names: one section per
// key of fixes, whose anchor is the key.
const TroubleshootingPage = "docs/troubleshooting.md"

// fixes says, per cause, what a person should do: a WorkOS code or
// sub-code, a code of the importer's own, or, for a failure whose code
// has no advice here, the class of its HTTP status (the keys with a
// hyphen, which no code has). It is the one list of causes: Fix gives its
// advice, Doc links to the section of TroubleshootingPage that explains
// it at length, and a test fails when a key has no section there, or when
// a code the importer writes or WorkOS documents has no key.
var fixes = map[string]string{
	codeDependencyFailed:                  "Fix the user's or organization's own error (listed separately); these rows are retried with it.",
	codeDependencySkipped:                 "Nothing to do: the user or organization these rows need was skipped on purpose.",
	"missing_from_export":                 "Nothing to do, or re-ingest an export that has the user.",
	"excluded":                            "Nothing to do: excluded on purpose with mig exclude (the message gives the reason); mig exclude --undo makes it importable again.",
	"user_without_organization":           "Map those users to an organization (org mapping) and re-ingest, or give them one with mig import --org-id org_...: the roles are sent with the memberships.",
	"user_not_in_organization":            "Add the users to the organization the role is given in (org mapping) and re-ingest, or fix the role mapping's organization.",
	"check_error":                         "Fix what mig check reports (the message names the rule), run mig check, then mig import: the row is sent once its finding is gone.",
	codeEmailBelongsToOtherUser:           "Two people share this email (or the WorkOS user is someone else's): give one of them another address, or drop one from the source, re-ingest, then: mig import --retry-failed --all",
	codeNoAnswer:                          "WorkOS did not answer (network). Run: mig import --retry-failed",
	codeInvalidAnswer:                     "WorkOS answered without the created object's id (see the message). Run: mig import --retry-failed --all (it looks the object up first); report it if it persists.",
	"organization_not_found":              "Create the organization in WorkOS, or give it a name in the org mapping and run: mig import --create-orgs --retry-failed --all",
	"organization_name_ambiguous":         "Map these users by org_id or org_external_id instead of org_name, re-ingest, then: mig import",
	"invalid_password_hash":               "The staged hash is not one WorkOS accepts for its type; check `mig sql \"select password_hash_type, count(*) from users group by 1\"`, fix the source or drop the hash, re-ingest, then: mig import --retry-failed --all",
	"password_and_password_hash_provided": "The user has both a plaintext password and a hash; keep one, re-ingest, then: mig import --retry-failed --all",
	"invalid_metadata":                    "WorkOS metadata allows 50 keys of at most 40 characters with string values of at most 600; trim it in the source, re-ingest, then: mig import --retry-failed --all",
	"invalid_request_parameters":          "A field breaks WorkOS's rules (see the message); fix it in the source, re-ingest, then: mig import --retry-failed --all",
	"invalid_role":                        "Create the role in WorkOS (or stage it with the roles file), then: mig import --retry-failed --all",
	"multiple_roles_not_enabled":          "Enable Multiple Roles in the WorkOS dashboard, then: mig import --retry-failed --all",
	"external_id_already_used":            "Another WorkOS object has this external_id; give each a unique one, re-ingest, then: mig import --retry-failed --all",
	"email_not_available":                 "A WorkOS user has this email and could not be found to adopt; check the email's normalisation, then: mig import --retry-failed --all",
	"invalid_staged_row":                  "The staging row is malformed; re-ingest the source.",
	"client_error":                        "Run: mig import --retry-failed; if it persists, report it with the message.",
	// WorkOS codes the importer can meet (the OpenAPI spec's error codes
	// for the requests it sends) that the entries above do not cover.
	"password_and_password_hash_type_provided":          "The user has both a plaintext password and a hash type; keep the hash with its type, or the password, re-ingest, then: mig import --retry-failed --all",
	"password_strength_error":                           "WorkOS refused the user's plaintext password as too weak; drop it from the source (the user resets it), re-ingest, then: mig import --retry-failed --all",
	"user_creation_error":                               "WorkOS refused to create the user (the message names the field); fix it in the source, re-ingest, then: mig import --retry-failed --all",
	"invalid_email":                                     "WorkOS does not take this address; fix it in the source (mig check's email rules find such addresses), re-ingest, then: mig import --retry-failed --all",
	"email_already_verified":                            "WorkOS holds this user's email as verified and will not mark it unverified; mark it verified in the source, re-ingest, then: mig import --retry-failed --all",
	"email_change_not_allowed":                          "WorkOS does not let this user's email change; change it in WorkOS, or keep the old address in the source, re-ingest, then: mig import --retry-failed --all",
	"invalid_locale":                                    "WorkOS refused the user's locale, which mig does not send; report it with the message and request id.",
	"cannot_reactivate_pending_organization_membership": "The user's membership of this organization is pending in WorkOS (an invitation not accepted); accept or revoke it in WorkOS, then: mig import --retry-failed --all",
	"sub_resource_scoped_role_not_allowed":              "The role is scoped to a resource and cannot be given on a membership; map another role, re-ingest, then: mig import --retry-failed --all",
	"bad_request":                                       "WorkOS refused the role or permission (the message says which field); fix the role definitions, re-ingest, then: mig import --retry-failed --all",
	"permission_slug_conflict":                          "WorkOS has a permission with this slug but did not list it to adopt; check that the key is the environment's, then: mig import --retry-failed --all",
	"role_slug_conflict":                                "WorkOS has an environment role with this slug but did not list it to adopt; check that the key is the environment's, then: mig import --retry-failed --all",
	"organization_role_slug_conflict":                   "WorkOS has a role with this slug in the organization but did not list it to adopt; check the organization's roles, then: mig import --retry-failed --all",

	// Failures whose code has no advice above, by the class of their HTTP
	// status; the hyphen keeps these keys apart from every code.
	"http-429":    "WorkOS kept rate-limiting past every retry. Run: mig import --retry-failed --rate-limit 20",
	"http-5xx":    "WorkOS failed on its side. Run: mig import --retry-failed (quote the request id to WorkOS support if it persists)",
	"http-403":    "The API key may not do this; check the key's environment and permissions.",
	"http-404":    "Something the row refers to no longer exists in WorkOS; check the message, then: mig import --retry-failed --all",
	"other-error": "Read the message, fix the row in the source, re-ingest, then: mig import --retry-failed --all",
}

// cause is the key of fixes that explains a failure: its first sub-code
// with advice, else its code, else the class of its HTTP status.
func cause(code string, subcodes []string, httpStatus int, retryable bool) string {
	for _, s := range subcodes {
		if _, ok := fixes[s]; ok {
			return s
		}
	}
	if _, ok := fixes[code]; ok {
		return code
	}
	switch {
	case httpStatus == 429:
		return "http-429"
	case httpStatus >= 500 || retryable:
		return "http-5xx"
	case httpStatus == 403:
		return "http-403"
	case httpStatus == 404:
		return "http-404"
	}
	return "other-error"
}

// Fix is the advice for a cause.
func Fix(code string, subcodes []string, httpStatus int, retryable bool) string {
	return fixes[cause(code, subcodes, httpStatus, retryable)]
}

// Doc is the link to the section of TroubleshootingPage about a cause, as
// a path relative to the repository's root: what a user reads in a clone.
func Doc(code string, subcodes []string, httpStatus int, retryable bool) string {
	return TroubleshootingPage + "#" + cause(code, subcodes, httpStatus, retryable)
}

// Causes lists every cause Fix and Doc can name, sorted: the sections
// TroubleshootingPage must have.
func Causes() []string {
	out := make([]string, 0, len(fixes))
	for k := range fixes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteRetryCSV writes every failed or skipped row with its cause as CSV:
// what to hand to whoever fixes the source data.
func WriteRetryCSV(ctx context.Context, q sqlx.QueryerContext, w io.Writer) (int, error) {
	rows, err := q.QueryxContext(ctx, sqlqueries.MustLoad("importer/failures.sql").SQL)
	if err != nil {
		return 0, fmt.Errorf("import failures: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write([]string{"entity", "entity_id", "status", "source_id", "email", "object", "http_status",
		"error_code", "error_subcodes", "retryable", "attempts", "request_id", "message", "fix"})
	n := 0
	for rows.Next() {
		var f struct {
			Entity    string `db:"entity"`
			EntityID  int64  `db:"entity_id"`
			Status    string `db:"status"`
			SourceID  string `db:"source_id"`
			Email     string `db:"email"`
			Object    string `db:"object"`
			HTTP      int    `db:"http_status"`
			Code      string `db:"error_code"`
			Subcodes  string `db:"error_subcodes"`
			Retryable bool   `db:"retryable"`
			Attempts  int    `db:"attempts"`
			RequestID string `db:"request_id"`
			Message   string `db:"message"`
		}
		if err := rows.StructScan(&f); err != nil {
			return n, err
		}
		var subs []string
		json.Unmarshal([]byte(f.Subcodes), &subs)
		cw.Write([]string{displayName(f.Entity), strconv.FormatInt(f.EntityID, 10), f.Status, f.SourceID, f.Email, f.Object,
			strconv.Itoa(f.HTTP), f.Code, strings.Join(subs, " "), strconv.FormatBool(f.Retryable),
			strconv.Itoa(f.Attempts), f.RequestID, f.Message, Fix(f.Code, subs, f.HTTP, f.Retryable)})
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
