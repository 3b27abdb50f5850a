package clerkfake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
)

func get(t *testing.T, srv *clerkfake.Server, path, key string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}

// The fake keeps the Backend API's limits and shapes, so that what passes
// against it is what Clerk answers.
func TestFakeKeepsTheAPIsShapes(t *testing.T) {
	var conns []clerkfake.Connection
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		conns = append(conns, clerkfake.Connection{ID: "entconn_" + id, Provider: "oidc_custom",
			OIDC: &clerkfake.OIDC{ClientID: "c", ClientSecret: "s3cret", DiscoveryURL: "https://x/.well-known/openid-configuration"}})
	}
	conns[0].Provider, conns[0].OIDC = "saml_custom", nil
	conns[0].SAML = &clerkfake.SAML{ID: "samlc_a", AttributeMapping: map[string]string{"email_address": "mail"}, IdpMetadata: "<x/>"}
	srv := clerkfake.Start(t, conns...)

	if status, _ := get(t, srv, "/enterprise_connections", ""); status != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", status)
	}
	for _, q := range []string{"?limit=0", "?limit=501", "?offset=-1"} {
		if status, _ := get(t, srv, "/enterprise_connections"+q, clerkfake.SecretKey); status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", q, status)
		}
	}
	status, body := get(t, srv, "/enterprise_connections", clerkfake.SecretKey)
	data, _ := body["data"].([]any)
	if status != http.StatusOK || len(data) != 10 || body["total_count"] != float64(12) {
		t.Fatalf("default page: %d, %d items, total %v; want 10 of 12", status, len(data), body["total_count"])
	}
	saml := data[0].(map[string]any)["saml_connection"].(map[string]any)
	for _, k := range []string{"attribute_mapping", "idp_metadata"} {
		if _, ok := saml[k]; ok {
			t.Errorf("nested saml_connection has %s, which only /saml_connections returns", k)
		}
	}
	if _, ok := data[1].(map[string]any)["oauth_config"].(map[string]any)["client_secret"]; ok {
		t.Errorf("oauth_config has client_secret, which Clerk never gives back")
	}
	_, body = get(t, srv, "/enterprise_connections?limit=5&offset=10", clerkfake.SecretKey)
	if data, _ := body["data"].([]any); len(data) != 2 {
		t.Errorf("last page: %d items, want 2", len(data))
	}
	_, body = get(t, srv, "/saml_connections", clerkfake.SecretKey)
	data, _ = body["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["enterprise_connection_id"] != "entconn_a" ||
		data[0].(map[string]any)["attribute_mapping"].(map[string]any)["email_address"] != "mail" {
		t.Errorf("/saml_connections: %v", data)
	}
}
