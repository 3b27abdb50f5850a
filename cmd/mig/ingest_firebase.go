package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureIngestFirebaseCmd) }

func configureIngestFirebaseCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var o firebase.Options
	var hashFile, split string
	var hash firebase.HashConfig
	var sso firebase.SSOOptions
	var tenants []string
	var asJSON bool
	cmd := ingestCmd(app).Command("firebase", "Ingest a Firebase Auth export (firebase auth:export, JSON or CSV), with the project's password hash parameters, "+
		"and optionally the project's Identity Platform SAML and OIDC providers for the SSO handoff.")
	cmd.Arg("file", "The export: users.json or the headerless users.csv (- reads standard input).").Required().SetValue(inputFile{&o.File})
	cmd.Flag("hash-config", "The project's password hash parameters (console: Authentication > Users > ⋮ > Password hash parameters): "+
		"JSON with base64_signer_key, base64_salt_separator, rounds and mem_cost, or the console's hash_config { ... } block.").ExistingFileVar(&hashFile)
	cmd.Flag("signer-key", "base64_signer_key of the project's hash parameters (instead of --hash-config).").StringVar(&hash.SignerKey)
	cmd.Flag("salt-separator", "base64_salt_separator of the project's hash parameters.").StringVar(&hash.SaltSeparator)
	cmd.Flag("rounds", "rounds of the project's hash parameters.").IntVar(&hash.Rounds)
	cmd.Flag("memory-cost", "mem_cost of the project's hash parameters.").IntVar(&hash.MemCost)
	oneOf(cmd.Flag("name-split", "How displayName becomes first and last name.").Default(string(firebase.SplitFirstSpace)), &split,
		string(firebase.SplitFirstSpace), string(firebase.SplitLastSpace), string(firebase.SplitFirstNameOnly))
	cmd.Flag("include-disabled", "Stage users disabled in Firebase (skipped by default).").BoolVar(&o.IncludeDisabled)
	cmd.Flag("skip-passwords", "Import no password hash (every user will have to reset the password).").BoolVar(&o.SkipPasswords)
	mappingFlags(cmd, firebase.MappingUserColumns, &o.OrgMapping, &o.RoleMapping)
	cmd.Flag("service-account-key", "A service-account key (JSON) of the project: also read its Identity Platform SAML and OIDC providers for the SSO handoff.").
		Envar("GOOGLE_APPLICATION_CREDENTIALS").StringVar(&sso.CredentialsFile)
	// Not an Envar: GOOGLE_CLOUD_PROJECT alone, set on many machines, must
	// not turn the SSO read on; FetchSSO reads it once the read is asked for.
	cmd.Flag("project-id", "The Firebase project of those providers (default: GOOGLE_CLOUD_PROJECT, then the key's project_id).").StringVar(&sso.ProjectID)
	cmd.Flag("tenant-ids", "Identity Platform tenants whose providers are read too (comma-separated).").StringsVar(&tenants)
	cmd.Flag("all-tenants", "Read the providers of every Identity Platform tenant of the project too.").BoolVar(&sso.AllTenants)
	cmd.Flag("identity-toolkit-url", "Identity Toolkit API base URL instead of Google's, for a fake.").PlaceHolder(firebase.DefaultIdentityToolkitEndpoint).StringVar(&sso.Endpoint)
	cmd.Flag("include-secrets", "Stage the OIDC client secrets of the SSO providers (left out, with a warning, by default).").BoolVar(&o.IncludeSecrets)
	cmd.Flag("source-tenant", "Name of this Firebase project, to keep two projects apart in one database.").StringVar(&o.Tenant)
	cmd.Flag("json", "Print the counts as JSON on stdout.").BoolVar(&asJSON)
	settings := ingestSettingsFlags(cmd, true)
	return cmd, func(ctx context.Context, e *env) error {
		o.NameSplit = firebase.NameSplit(split)
		h, err := hashParameters(hashFile, hash)
		if err != nil {
			return err
		}
		o.Hash = h
		sso.Tenants = splitList(tenants)
		if sso.CredentialsFile != "" || sso.ProjectID != "" || len(sso.Tenants) > 0 || sso.AllTenants {
			if sso.CredentialsFile == "" {
				return usageError{"the SSO providers need a service-account key: pass --service-account-key or set GOOGLE_APPLICATION_CREDENTIALS"}
			}
			e.Log.Info("reading the project's Identity Platform SSO providers too", "service_account_key", sso.CredentialsFile, "project_id", sso.ProjectID)
			o.SSO = &sso
		}
		o.Log = e.Log
		o.Settings = settings(e)
		return runIngest(ctx, e, "firebase", o.File, asJSON, func(db *staging.DB) (ingest.Counts, error) {
			return firebase.Ingest(ctx, db, o)
		})
	}
}

// hashParameters are the project's hash parameters from --hash-config or
// the four flags (not both); nil when neither is given.
func hashParameters(file string, flags firebase.HashConfig) (*firebase.HashConfig, error) {
	var given, missing []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"--signer-key", flags.SignerKey != ""}, {"--salt-separator", flags.SaltSeparator != ""}, {"--rounds", flags.Rounds != 0}, {"--memory-cost", flags.MemCost != 0}} {
		if f.set {
			given = append(given, f.name)
		} else {
			missing = append(missing, f.name)
		}
	}
	switch {
	case file != "" && len(given) > 0:
		return nil, usageError{fmt.Sprintf("--hash-config and %s both give the hash parameters: use one or the other", strings.Join(given, ", "))}
	case file != "":
		h, err := firebase.LoadHashConfig(file)
		if err != nil {
			return nil, err
		}
		return &h, nil
	case len(given) == 0:
		return nil, nil
	case len(missing) > 0:
		return nil, usageError{fmt.Sprintf("the hash parameters are incomplete: %s given, %s missing", strings.Join(given, ", "), strings.Join(missing, ", "))}
	}
	h, err := flags.Validate()
	if err != nil {
		return nil, usageError{"hash parameters: " + err.Error()}
	}
	return &h, nil
}
