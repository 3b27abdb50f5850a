package main

import (
	"context"
	"crypto/subtle"
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
// "not what you hoped", with no further hint.
type mismatchError struct{ msg string }

func (e mismatchError) Error() string { return e.msg }

func configureVerifyPasswordCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var email string
	cmd := app.Command("verify-password", "Check a known password against a staged user's hash, to prove the exported hash parameters are right before importing. The password is read from the terminal without echo, or from stdin; never from the command line.")
	cmd.Arg("email", "The staged user's email address (any case).").Required().StringVar(&email)
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
		matched, failed := 0, 0
		for _, u := range users {
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
			case u.Hash != nil && u.HashType != nil:
				ok, err = passhash.Verify(*u.HashType, *u.Hash, pw)
				what = "its " + *u.HashType + " hash"
			case u.Digest != nil:
				hasher := deref(u.Hasher)
				ok, err = passhash.VerifySourceDigest(hasher, *u.Digest, pw)
				what = "its source digest (" + orDash(hasher) + ")"
				note = "; WorkOS cannot import this digest, so the user will have to reset the password anyway"
			default:
				fmt.Fprintf(e.Stdout, "%s: no password staged\n", who)
				continue
			}
			switch {
			case err != nil:
				failed++
				fmt.Fprintf(e.Stdout, "%s: cannot verify %s: %v\n", who, what, err)
				err = nil
			case ok:
				matched++
				fmt.Fprintf(e.Stdout, "%s: match: the password matches %s%s\n", who, what, note)
			default:
				failed++
				fmt.Fprintf(e.Stdout, "%s: no match: the password does not match %s%s\n", who, what, note)
			}
		}
		switch {
		case failed > 0:
			return mismatchError{fmt.Sprintf("%d of %d staged user(s) with this email did not match", failed, failed+matched)}
		case matched == 0:
			return errors.New("no staged user with this email has a password")
		}
		return nil
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
