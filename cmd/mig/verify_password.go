package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/cmd/mig/internal/prompt"
	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureVerifyPasswordCmd) }

// mismatchError is a password that does not match: exit 1, the code for
// "not what you hoped". hint, when set, names what else than the password
// may be wrong.
type mismatchError struct{ msg, hint string }

func (e mismatchError) Error() string { return e.msg }

// Hint is the next step, if any.
func (e mismatchError) Hint() string { return e.hint }

// firebaseParamsHint is what a mismatch against a Firebase export's hash
// says: those hashes take the project's parameters, given to the ingest
// apart from the export, and a wrong one fails every user alike.
const firebaseParamsHint = "if the password is this user's, the hash parameters are wrong: ingest the export again with the project's own " +
	"(--hash-config FILE, from the Firebase console: Authentication > Users > Password hash parameters)"

func configureVerifyPasswordCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var email string
	var asJSON bool
	cmd := app.Command("verify-password", "Check a known password against a staged user's hash, to prove the exported hash parameters are right before importing. The password is read from the terminal without echo, or from stdin; never from the command line.")
	cmd.Arg("email", "The staged user's email address (any case).").Required().StringVar(&email)
	cmd.Flag("json", "Print the result as JSON on stdout: per staged user, whether the password matched and the hash type; never the password or the hash.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		db, err := staging.OpenReadOnly(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		var users []struct {
			Source    string  `db:"source"`
			Tenant    string  `db:"source_tenant"`
			SourceID  string  `db:"source_id"`
			Hash      *string `db:"password_hash"`
			HashType  *string `db:"password_hash_type"`
			Hasher    *string `db:"source_hasher"`
			Digest    *string `db:"source_password_digest"`
			Plaintext *string `db:"password"`
		}
		if err := db.SelectContext(ctx, &users, sqlqueries.MustLoad("cmd/password_candidates.sql").SQL, email); err != nil {
			return err
		}
		if len(users) == 0 {
			return fmt.Errorf("no staged user has the email %s", email)
		}
		pw, err := prompt.ReadPassword(e.Stdin, e.Stderr, "Password for "+email+": ")
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		res := passwordCheck{Email: email, Users: []passwordResult{}}
		matched, failed := 0, 0
		hint := ""
		for _, u := range users {
			r := passwordResult{Source: u.Source, SourceTenant: u.Tenant, SourceID: u.SourceID}
			who := u.Source + " " + u.SourceID
			if u.Tenant != "" {
				who = u.Source + "/" + u.Tenant + " " + u.SourceID
			}
			var ok bool
			var what, note string
			switch {
			case u.Plaintext != nil:
				ok = subtle.ConstantTimeCompare([]byte(*u.Plaintext), []byte(pw)) == 1
				what = "the plaintext password from the export"
				r.Against, r.HashType = "plaintext", "plaintext"
			case u.Hash != nil && u.HashType != nil:
				ok, err = passhash.Verify(*u.HashType, *u.Hash, pw)
				what = "its " + *u.HashType + " hash"
				r.Against, r.HashType = "password_hash", *u.HashType
			case u.Digest != nil:
				hasher := deref(u.Hasher)
				ok, err = passhash.VerifySourceDigest(hasher, *u.Digest, pw)
				what = "its source digest (" + orDash(hasher) + ")"
				note = "; WorkOS cannot import this digest, so the user will have to reset the password anyway"
				r.Against, r.HashType = "source_digest", hasher
			default:
				r.Against, r.Text = "none", who+": no password staged"
				res.Users = append(res.Users, r)
				continue
			}
			switch {
			case err != nil:
				failed++
				r.Error = err.Error()
				r.Text = fmt.Sprintf("%s: cannot verify %s: %v", who, what, err)
				err = nil
			case ok:
				matched++
				r.Match = true
				r.Text = fmt.Sprintf("%s: match: the password matches %s%s", who, what, note)
			default:
				failed++
				r.Text = fmt.Sprintf("%s: no match: the password does not match %s%s", who, what, note)
				if u.Source == "firebase" && r.HashType == "firebase-scrypt" {
					hint = firebaseParamsHint
				}
			}
			res.Users = append(res.Users, r)
		}
		res.Match = failed == 0 && matched > 0
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(res); err != nil {
				return err
			}
		} else {
			for _, r := range res.Users {
				fmt.Fprintln(e.Stdout, r.Text)
			}
		}
		switch {
		case failed > 0:
			return mismatchError{msg: fmt.Sprintf("%d of %d staged user(s) with this email did not match", failed, failed+matched), hint: hint}
		case matched == 0:
			return errors.New("no staged user with this email has a password")
		}
		return nil
	}
}

// passwordCheck is the result of `mig verify-password`, as --json prints
// it. It names the hash type, never the password or the hash.
type passwordCheck struct {
	Email string `json:"email"`
	// Match is true when every staged user with this email who has a
	// password matched, and there was at least one.
	Match bool             `json:"match"`
	Users []passwordResult `json:"users"`
}

// passwordResult is one staged user's outcome.
type passwordResult struct {
	Source       string `json:"source"`
	SourceTenant string `json:"source_tenant"`
	SourceID     string `json:"source_id"`
	Match        bool   `json:"match"`
	// Against says what the password was compared with: password_hash (what
	// WorkOS will get), source_digest (a hash WorkOS cannot take),
	// plaintext, or none when the user has no password.
	Against  string `json:"against"`
	HashType string `json:"hash_type,omitempty"`
	Error    string `json:"error,omitempty"`
	Text     string `json:"-"` // the line printed for people
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
