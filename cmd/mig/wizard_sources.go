package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/mig-tools/mig/ingest/auth0"
)

// Environment variables the ingest commands read secrets from (see
// ingest_auth0.go, ingest.go's --secret-key, and the AWS credential chain
// ingest cognito uses).
const (
	envAuth0Secret = "AUTH0_CLIENT_SECRET"
	envClerkKey    = "CLERK_SECRET_KEY"
	envAWSKeyID    = "AWS_ACCESS_KEY_ID"
	envAWSSecret   = "AWS_SECRET_ACCESS_KEY"
)

// awsEnv are the variables of the AWS chain that carry credentials.
var awsEnv = []string{envAWSKeyID, envAWSSecret, "AWS_SESSION_TOKEN", "AWS_PROFILE"}

// ingest asks for the source, its inputs and how users join organizations,
// then runs the ingest commands. A failed ingest leaves the database as it
// was, so its questions may be answered again.
func (w *wizard) ingest(ctx context.Context) error {
	for {
		cmds, err := w.askSource(ctx)
		if err != nil {
			return err
		}
		var failed error
		for _, c := range cmds {
			if failed = w.step(ctx, []int{exitOK}, c.env, c.args...); failed != nil {
				break
			}
		}
		if failed == nil {
			return nil
		}
		if ctx.Err() != nil {
			return failed
		}
		again := true
		if err := w.ask.confirm(ctx, "The ingest failed (its error is above; the staging database is as it was). Answer the questions again?", "", &again); err != nil {
			return err
		}
		if !again {
			return wizardStop{msg: "Stopped: the ingest failed.", err: failed}
		}
	}
}

// askSource asks which source and its inputs, and returns the commands
// that ingest them.
func (w *wizard) askSource(ctx context.Context) ([]ranCommand, error) {
	source := "clerk"
	if err := w.ask.selectOne(ctx, "Which source do the users come from?", "", &source,
		huh.NewOption("Clerk: the dashboard's CSV export", "clerk"),
		huh.NewOption("Auth0: the tenant, through the Management API", "auth0"),
		huh.NewOption("AWS Cognito: user pools, through the AWS API", "cognito"),
		huh.NewOption("Firebase Auth: a firebase auth:export file", "firebase"),
		huh.NewOption("CSV: a flat file in the WorkOS import format", "csv"),
		huh.NewOption("Migration package: a directory written by workos-migrate or mig emit", "package")); err != nil {
		return nil, err
	}
	mode := "rows"
	modes := []huh.Option[string]{
		huh.NewOption("Per user, as the source says (its organizations, or a mapping file)", "rows"),
		huh.NewOption("All in one existing WorkOS organization (mig import --org-id)", "one"),
		huh.NewOption("No organizations: users only", "none"),
	}
	if source == "csv" || source == "package" {
		// Their organizations are in the file itself, and staged with it.
		modes = []huh.Option[string]{
			huh.NewOption("As the file says (its organization columns or memberships file)", "rows"),
			huh.NewOption("All in one existing WorkOS organization too (mig import --org-id)", "one"),
		}
	}
	if err := w.ask.selectOne(ctx, "How do users join organizations?", "", &mode, modes...); err != nil {
		return nil, err
	}
	if mode == "one" {
		w.importAsked = true
		if err := w.ask.input(ctx, "The WorkOS organization's id (org_...)", "", &w.orgID, func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("an organization id is needed")
			}
			return validOrgID(s)
		}); err != nil {
			return nil, err
		}
	} else {
		// How users join is decided at the ingest: no --org-id.
		w.importAsked = true
	}

	var cmds []ranCommand
	var c ranCommand
	var err error
	switch source {
	case "clerk":
		c, err = w.askClerk(ctx, mode)
	case "auth0":
		c, err = w.askAuth0(ctx, mode)
	case "cognito":
		c, err = w.askCognito(ctx, mode)
	case "firebase":
		c, err = w.askFirebase(ctx, mode)
	case "csv":
		c, err = w.askCSV(ctx)
	case "package":
		var dir string
		err = w.ask.input(ctx, "The package directory (with manifest.json and users.csv)", "", &dir, existingDir)
		c = ranCommand{args: []string{"ingest", "package", strings.TrimSpace(dir)}}
	}
	if err != nil {
		return nil, err
	}
	cmds = append(cmds, c)
	if source == "auth0" {
		more, err := w.askAuth0Supplements(ctx)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, more...)
	}
	if mode != "none" && source != "package" {
		var defs string
		if err := w.ask.input(ctx, "Role definitions CSV (empty: none)",
			"role_slug,role_name,role_type,permissions: mig ingest roles --definitions. Without it, the roles assigned must already exist in WorkOS.",
			&defs, optionalFile); err != nil {
			return nil, err
		}
		if defs = strings.TrimSpace(defs); defs != "" {
			cmds = append(cmds, ranCommand{args: []string{"ingest", "roles", "--definitions", defs}})
		}
	}
	return cmds, nil
}

// file asks for a path; required says whether it may be left empty.
func (w *wizard) file(ctx context.Context, title, desc string, required bool) (string, error) {
	var p string
	check := optionalFile
	if required {
		check = existingFile
	}
	if err := w.ask.input(ctx, title, desc, &p, check); err != nil {
		return "", err
	}
	return strings.TrimSpace(p), nil
}

// mappingArgs asks for the org and role mapping files of a source that
// takes them.
func (w *wizard) mappingArgs(ctx context.Context, mode, userColumn string) ([]string, error) {
	if mode == "none" {
		return nil, nil
	}
	var args []string
	if mode == "rows" {
		org, err := w.file(ctx, "Org mapping CSV (empty: none)",
			userColumn+" with org_id, org_external_id and/or org_name; several lines per user make several memberships.", false)
		if err != nil {
			return nil, err
		}
		if org != "" {
			args = append(args, "--org-mapping", org)
		}
	}
	role, err := w.file(ctx, "Role mapping CSV (empty: none)", userColumn+" with role_slug; several lines per user allowed.", false)
	if err != nil {
		return nil, err
	}
	if role != "" {
		args = append(args, "--role-mapping", role)
	}
	return args, nil
}

func (w *wizard) askClerk(ctx context.Context, mode string) (ranCommand, error) {
	f, err := w.file(ctx, "The Clerk CSV export", "Clerk dashboard: Users > Export (a CSV with id, primary_email_address, password_digest, ...).", true)
	if err != nil {
		return ranCommand{}, err
	}
	c := ranCommand{args: []string{"ingest", "clerk", f}}
	m, err := w.mappingArgs(ctx, mode, "clerk_user_id")
	if err != nil {
		return c, err
	}
	c.args = append(c.args, m...)
	if os.Getenv(envClerkKey) != "" {
		// ingest clerk reads it: the command depends on it.
		w.say("%s is set: the ingest also reads the instance's enterprise SSO connections.", envClerkKey)
		c.env = []string{envClerkKey}
		return c, nil
	}
	sso := false
	if err := w.ask.confirm(ctx, "Also read the instance's enterprise SSO connections (needs its secret key)?", "", &sso); err != nil {
		return c, err
	}
	if sso {
		if err := w.secretEnv(ctx, envClerkKey, "Clerk secret key, sk_... (hidden)"); err != nil {
			return c, err
		}
		c.env = []string{envClerkKey}
	}
	return c, nil
}

// secretEnv asks for the secret name reads, unless the environment has it.
func (w *wizard) secretEnv(ctx context.Context, name, title string) error {
	if os.Getenv(name) != "" || w.secrets[name] != "" {
		return nil
	}
	var v string
	if err := w.ask.secret(ctx, title, &v); err != nil {
		return err
	}
	w.secrets[name] = strings.TrimSpace(v)
	return nil
}

// fromEnvOrAsk returns a non-secret value: from the environment when it is
// set there, else typed.
func (w *wizard) fromEnvOrAsk(ctx context.Context, name, title string) (string, error) {
	def := os.Getenv(name)
	v := def
	if err := w.ask.input(ctx, title, "", &v, func(s string) error {
		// The line mode checks the line typed before it puts the default
		// in: empty is fine when there is one.
		if strings.TrimSpace(s) == "" && def == "" {
			return errors.New("an answer is needed")
		}
		return nil
	}); err != nil {
		return "", err
	}
	return cmp.Or(strings.TrimSpace(v), def), nil
}

func (w *wizard) askAuth0(ctx context.Context, mode string) (ranCommand, error) {
	domain, err := w.fromEnvOrAsk(ctx, "AUTH0_DOMAIN", "The Auth0 tenant's domain (my-tenant.us.auth0.com)")
	if err != nil {
		return ranCommand{}, err
	}
	id, err := w.fromEnvOrAsk(ctx, "AUTH0_CLIENT_ID", "Client id of a machine-to-machine application authorized for the Management API")
	if err != nil {
		return ranCommand{}, err
	}
	if err := w.secretEnv(ctx, envAuth0Secret, "Its client secret (hidden; "+envAuth0Secret+" is not set)"); err != nil {
		return ranCommand{}, err
	}
	c := ranCommand{env: []string{envAuth0Secret}, args: []string{"ingest", "auth0", "--domain", domain, "--client-id", id}}
	if mode != "rows" {
		// The tenant's organizations are not wanted: users and their SSO
		// connections only.
		c.args = append(c.args, "--entities", auth0.EntityUsers+","+auth0.EntitySSO)
	}
	m, err := w.mappingArgs(ctx, mode, "user_id or email")
	if err != nil {
		return c, err
	}
	c.args = append(c.args, m...)
	return c, nil
}

// askAuth0Supplements asks for the files Auth0 gives apart: the password
// hashes (from Auth0 support) and the MFA secrets.
func (w *wizard) askAuth0Supplements(ctx context.Context) ([]ranCommand, error) {
	var cmds []ranCommand
	pw, err := w.file(ctx, "The password hash export Auth0 support sent (NDJSON; empty: none, users will reset)", "", false)
	if err != nil {
		return nil, err
	}
	if pw != "" {
		cmds = append(cmds, ranCommand{args: []string{"ingest", "auth0-passwords", pw}})
	}
	totp, err := w.file(ctx, "MFA (TOTP) secrets file, CSV or NDJSON (empty: none)", "", false)
	if err != nil {
		return nil, err
	}
	if totp != "" {
		cmds = append(cmds, ranCommand{args: []string{"ingest", "totp", totp}})
	}
	return cmds, nil
}

func (w *wizard) askCognito(ctx context.Context, mode string) (ranCommand, error) {
	var pools string
	if err := w.ask.input(ctx, "User pool ids, comma-separated (us-east-1_ABC,...)", "", &pools, func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("at least one user pool id is needed")
		}
		return nil
	}); err != nil {
		return ranCommand{}, err
	}
	c := ranCommand{args: []string{"ingest", "cognito", "--user-pool-ids", strings.ReplaceAll(pools, " ", "")}}
	strategy := "none"
	if mode == "rows" {
		strategy = "user-pool"
		if err := w.ask.selectOne(ctx, "Which organizations?", "", &strategy,
			huh.NewOption("One per user pool, every user of the pool a member", "user-pool"),
			huh.NewOption("One per SAML or OIDC identity provider, its federated users the members", "connection")); err != nil {
			return c, err
		}
	}
	c.args = append(c.args, "--org-strategy", strategy)
	m, err := w.mappingArgs(ctx, mode, "username, sub or email")
	if err != nil {
		return c, err
	}
	c.args = append(c.args, m...)
	for _, name := range awsEnv {
		if os.Getenv(name) != "" {
			c.env = append(c.env, name)
		}
	}
	if len(c.env) > 0 {
		return c, nil
	}
	var keyID string
	if err := w.ask.input(ctx, "AWS access key id (empty: the shared config file or the machine's role)", "", &keyID, nil); err != nil {
		return c, err
	}
	if keyID = strings.TrimSpace(keyID); keyID != "" {
		w.secrets[envAWSKeyID] = keyID
		if err := w.secretEnv(ctx, envAWSSecret, "AWS secret access key (hidden)"); err != nil {
			return c, err
		}
		c.env = []string{envAWSKeyID, envAWSSecret}
	}
	return c, nil
}

func (w *wizard) askFirebase(ctx context.Context, mode string) (ranCommand, error) {
	f, err := w.file(ctx, "The Firebase Auth export (firebase auth:export users.json, or its CSV)", "", true)
	if err != nil {
		return ranCommand{}, err
	}
	c := ranCommand{args: []string{"ingest", "firebase", f}}
	hash, err := w.file(ctx, "The project's password hash parameters, JSON (empty: none, users will reset)",
		"Console: Authentication > Users > ⋮ > Password hash parameters.", false)
	if err != nil {
		return c, err
	}
	if hash != "" {
		c.args = append(c.args, "--hash-config", hash)
	}
	m, err := w.mappingArgs(ctx, mode, "uid or email")
	if err != nil {
		return c, err
	}
	c.args = append(c.args, m...)
	// ingest firebase reads the key's path from the environment too: given
	// explicitly, the printed command does not depend on it.
	key := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS")
	if key == "" {
		if key, err = w.file(ctx, "A service-account key of the project, to read its SAML and OIDC providers too (empty: none)", "", false); err != nil {
			return c, err
		}
	}
	if key != "" {
		c.args = append(c.args, "--service-account-key", key)
	}
	return c, nil
}

func (w *wizard) askCSV(ctx context.Context) (ranCommand, error) {
	f, err := w.file(ctx, "The users CSV (WorkOS import format: email, ..., org_id, org_external_id, org_name, role_slugs)",
		"A user in several organizations takes one row per organization.", true)
	if err != nil {
		return ranCommand{}, err
	}
	c := ranCommand{args: []string{"ingest", "csv", f}}
	totp, err := w.file(ctx, "TOTP secrets CSV, email,totp_secret (empty: none)", "", false)
	if err != nil {
		return c, err
	}
	if totp != "" {
		c.args = append(c.args, "--totp", totp)
	}
	return c, nil
}

func existingFile(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("a file is needed")
	}
	st, err := os.Stat(s)
	switch {
	case err != nil:
		return fmt.Errorf("%s: no such file", s)
	case st.IsDir():
		return fmt.Errorf("%s is a directory", s)
	}
	return nil
}

func optionalFile(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return existingFile(s)
}

func existingDir(s string) error {
	s = strings.TrimSpace(s)
	if st, err := os.Stat(s); err != nil || !st.IsDir() {
		return fmt.Errorf("%q: no such directory", s)
	}
	return nil
}
