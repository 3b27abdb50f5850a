package auth0fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

func token(t *testing.T, srv *auth0fake.Server) string {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {auth0fake.ClientID}, "client_secret": {auth0fake.ClientSecret}, "audience": {srv.URL + "/api/v2/"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	if v.AccessToken == "" {
		t.Fatalf("no token: %s", resp.Status)
	}
	return v.AccessToken
}

func get(t *testing.T, srv *auth0fake.Server, tok, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFakeAsTheAPI checks the behaviours of the real API the fake keeps:
// a token is needed, pages stop at the first 1,000 results, checkpoint
// pagination goes beyond.
func TestFakeAsTheAPI(t *testing.T) {
	srv := auth0fake.Start(t, auth0fake.Generate(auth0fake.GenOptions{Users: 1200, Orgs: 1}))
	if code, _ := get(t, srv, "", "/api/v2/users"); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	tok := token(t, srv)
	if code, body := get(t, srv, tok, "/api/v2/users?page=9&per_page=100&include_totals=true"); code != http.StatusOK || !strings.Contains(body, `"total":1200`) {
		t.Errorf("page 9: %d %.200s", code, body)
	}
	if code, body := get(t, srv, tok, "/api/v2/users?page=10&per_page=100"); code != http.StatusBadRequest || !strings.Contains(body, "first 1000 records") {
		t.Errorf("page 10: %d %s", code, body)
	}
	if code, _ := get(t, srv, tok, "/api/v2/users?per_page=101"); code != http.StatusBadRequest {
		t.Errorf("per_page 101: %d", code)
	}
	// The one organization holds every user: 1,200 members, read to the
	// end with checkpoints.
	n, from := 0, ""
	for {
		_, body := get(t, srv, tok, "/api/v2/organizations/org_gen00000/members?take=100&from="+from)
		var page struct {
			Members []struct {
				UserID string `json:"user_id"`
			} `json:"members"`
			Next string `json:"next"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err, body)
		}
		n += len(page.Members)
		if page.Next == "" {
			break
		}
		from = page.Next
	}
	if n != 1200 {
		t.Errorf("%d members by checkpoints, want 1200", n)
	}
}
