package workosapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer/workosapi"
)

// A POST answered 500, 502 or 504 may have been applied (a gateway gives
// up on a backend that committed): it is not sent again, and comes back
// as MaybeApplied for the caller to look the object up. A GET answered so
// is retried, and so is a POST answered 503.
func TestPost5xxMayHaveBeenApplied(t *testing.T) {
	for _, code := range []int{500, 502, 504} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			s := &script{answers: []func(http.ResponseWriter){status(code, "", ""), status(201, "", created)}}
			c := client(t, s, &workosapi.Transport{})
			_, err := c.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "a@example.com"})
			if !workosapi.MaybeApplied(err) || !strings.Contains(err.Error(), fmt.Sprint(code)) {
				t.Fatalf("err %v, want a MaybeApplied error naming %d", err, code)
			}
			if n := s.tries(); n != 1 {
				t.Fatalf("the server got %d requests, want 1: the POST was sent again", n)
			}

			g := &script{answers: []func(http.ResponseWriter){status(code, "", ""), status(200, "", `{"data":[],"list_metadata":{"after":null}}`)}}
			ts := httptest.NewServer(g)
			t.Cleanup(ts.Close)
			api := &workosapi.Client{Endpoint: ts.URL, APIKey: "sk_test",
				HTTPClient: &http.Client{Transport: &workosapi.Transport{BaseBackoff: time.Millisecond}}}
			if _, err := api.FindUserByEmail(context.Background(), "a@example.com"); err != nil {
				t.Fatal(err)
			}
			if n := g.tries(); n != 2 {
				t.Fatalf("GET tries %d, want 2", n)
			}
		})
	}
}
