package emit_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
	"github.com/mig-tools/mig/ingest/cognito"
	"github.com/mig-tools/mig/ingest/cognito/cognitofake"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/staging"
)

// stageCognitoSamples stages the public Cognito samples (one pool: its
// users and its SAML and OIDC identity providers) through an in-process
// fake of the Cognito API, with the pool's hosted UI domain and a custom
// ACS URL template, so that every handoff column is filled.
func stageCognitoSamples(t *testing.T, db *staging.DB) {
	dir := t.TempDir()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": ""} {
		t.Setenv(k, v)
	}
	samples, err := filepath.Glob(fixtures + "/cognito/*.json")
	if err != nil || len(samples) == 0 {
		t.Fatalf("cognito samples: %v", err)
	}
	f := &cognitofake.Fake{}
	if err := f.LoadSamples(samples...); err != nil {
		t.Fatal(err)
	}
	f.Pools["us-east-1_AAAPOOL"].Name = "Acme users"
	f.Pools["us-east-1_AAAPOOL"].Domain = "acme-login"
	url := f.Start(t)
	must[any](t)(cognito.Ingest(context.Background(), db, cognito.Options{UserPoolIDs: []string{"us-east-1_AAAPOOL"}, EndpointURL: url,
		Entities: []string{"users", "organizations", "memberships", "sso"}, SAMLEntityIDTemplate: cognito.DefaultSAMLEntityIDTemplate,
		SAMLACSURLTemplate: "https://sso.acme.com/{user_pool_id}/{provider_name}/acs"}))
}

// stageFirebaseSamples stages the public sample auth:export with the
// README's hash parameters and an org mapping by firebase_uid.
func stageFirebaseSamples(t *testing.T, db *staging.DB) {
	hc := must[firebase.HashConfig](t)(firebase.LoadHashConfig(fixtures + "/firebase/smartmove-firebase-keycloak-importer_example_hash_config.json"))
	must[any](t)(firebase.Ingest(context.Background(), db, firebase.Options{File: fixtures + "/firebase/clerk-migration-tool_samples_firebase.json",
		Hash: &hc, OrgMapping: "../testdata/emit/firebase-samples/org-mapping.csv"}))
}

// stageClerkSSO stages the Clerk sample export with the instance's
// enterprise connections from an in-process fake of the Backend API.
func stageClerkSSO(t *testing.T, db *staging.DB) {
	srv := clerkfake.Start(t,
		clerkfake.Connection{ID: "entconn_saml1", Name: "Acme Okta", Provider: "saml_okta", Active: true, Domains: []string{"acme.com"}, OrganizationID: "org_acme",
			CustomAttributes: []clerkfake.CustomAttribute{{Name: "Employee number", Key: "employee_number", SSOPath: "user.employeeNumber"}},
			SAML: &clerkfake.SAML{ID: "samlc_1", IdpEntityID: "http://www.okta.com/exk1", IdpSSOURL: "https://acme.okta.com/app/sso/saml",
				IdpCertificate: "MIIBcertOne", AcsURL: "https://clerk.acme.com/v1/saml/acs/samlc_1", SpEntityID: "https://clerk.acme.com/saml/samlc_1",
				AllowIdpInitiated: true, AttributeMapping: map[string]string{"user_id": "uid", "email_address": "mail", "first_name": "givenName", "last_name": "sn"}}},
		clerkfake.Connection{ID: "entconn_oidc1", Name: "Initech OIDC", Provider: "oidc_custom", Active: true, Domains: []string{"initech.com"},
			OIDC: &clerkfake.OIDC{ID: "eaoc_1", ClientID: "client_abc", DiscoveryURL: "https://id.initech.com/.well-known/openid-configuration"}})
	must[any](t)(clerk.Ingest(context.Background(), db, clerk.Options{UsersFile: fixtures + "/clerk/anchor-export.csv",
		OrgMapping: fixtures + "/clerk/anchor-org-mapping.csv", Enterprise: &clerk.EnterpriseOptions{BaseURL: srv.URL, SecretKey: clerkfake.SecretKey}}))
}
