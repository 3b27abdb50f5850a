package workosapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer/workosapi"
)

// An error answer that quotes the API key (a proxy echoing the request,
// an API that names the key it refused) reaches no caller with the key in
// it: what the importer keeps of an error goes to the database, mig errors
// and the report. Through the SDK and through the typed client alike.
func TestErrorAnswersNeverCarryTheKey(t *testing.T) {
	const key = "sk_test_SECRETsecretSECRET0123456789"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]any{"code": "invalid_request_parameters", "message": "refused " + auth,
			"errors": []map[string]string{{"field": "email", "code": "invalid", "message": "key " + strings.TrimPrefix(auth, "Bearer ")}}})
	}))
	t.Cleanup(ts.Close)
	hc := &http.Client{Transport: &workosapi.Transport{BaseBackoff: time.Millisecond}}

	um := usermanagement.NewClient(key)
	um.Endpoint, um.HTTPClient = ts.URL, hc
	_, sdkErr := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "a@example.com"})
	api := &workosapi.Client{Endpoint: ts.URL, APIKey: key, HTTPClient: hc}
	_, apiErr := api.FindUserByEmail(context.Background(), "a@example.com")
	for name, err := range map[string]error{"SDK": sdkErr, "typed client": apiErr} {
		ae, ok := workosapi.AsAPIError(err)
		if !ok {
			t.Fatalf("%s: %v, want an APIError", name, err)
		}
		for _, s := range []string{err.Error(), ae.Message, ae.Raw} {
			if strings.Contains(s, key) {
				t.Errorf("%s: the error carries the key: %s", name, s)
			}
		}
		if !strings.Contains(ae.Message, "refused Bearer [redacted]") {
			t.Errorf("%s: message %q, want the rest of it kept", name, ae.Message)
		}
	}
}
