package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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
	}
	return gs, nil
}

// fixes says, per WorkOS or importer code, what a person should do.
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
}

// Fix is the advice for a cause.
func Fix(code string, subcodes []string, httpStatus int, retryable bool) string {
	for _, s := range subcodes {
		if f, ok := fixes[s]; ok {
			return f
		}
	}
	if f, ok := fixes[code]; ok {
		return f
	}
	switch {
	case httpStatus == 429:
		return "WorkOS kept rate-limiting past every retry. Run: mig import --retry-failed --rate-limit 20"
	case httpStatus >= 500 || retryable:
		return "WorkOS failed on its side. Run: mig import --retry-failed (quote the request id to WorkOS support if it persists)"
	case httpStatus == 403:
		return "The API key may not do this; check the key's environment and permissions."
	case httpStatus == 404:
		return "Something the row refers to no longer exists in WorkOS; check the message, then: mig import --retry-failed --all"
	}
	return "Read the message, fix the row in the source, re-ingest, then: mig import --retry-failed --all"
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
