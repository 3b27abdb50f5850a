package ingest_test

import (
	"reflect"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

// TestSetServiceProvider: the old provider's values go to the source*
// columns; the entity ID WorkOS presents is the old one unless another is
// asked for; an ACS URL or redirect URI for WorkOS comes only from what was
// asked for, never from the old provider's.
func TestSetServiceProvider(t *testing.T) {
	old := ingest.ServiceProvider{EntityID: "urn:old:sp", ACSURL: "https://old.example/acs", RedirectURI: "https://old.example/cb"}
	tests := []struct {
		name   string
		custom ingest.ServiceProvider
		want   map[string]string
	}{
		{"nothing asked", ingest.ServiceProvider{}, map[string]string{
			"sourceEntityId": "urn:old:sp", "sourceAcsUrl": "https://old.example/acs", "sourceRedirectUri": "https://old.example/cb",
			"customEntityId": "urn:old:sp"}},
		{"everything asked", ingest.ServiceProvider{EntityID: "urn:new", ACSURL: "https://proxy.example/acs", RedirectURI: "https://proxy.example/cb"}, map[string]string{
			"sourceEntityId": "urn:old:sp", "sourceAcsUrl": "https://old.example/acs", "sourceRedirectUri": "https://old.example/cb",
			"customEntityId": "urn:new", "customAcsUrl": "https://proxy.example/acs", "customRedirectUri": "https://proxy.example/cb"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c ingest.SSOConnection
			c.SetServiceProvider(old, tc.custom)
			if !reflect.DeepEqual(c.Config, tc.want) {
				t.Errorf("config %v\nwant %v", c.Config, tc.want)
			}
		})
	}
	c := ingest.SSOConnection{Config: map[string]string{"idpEntityId": "urn:idp"}}
	c.SetServiceProvider(ingest.ServiceProvider{}, ingest.ServiceProvider{ACSURL: " "})
	if !reflect.DeepEqual(c.Config, map[string]string{"idpEntityId": "urn:idp"}) {
		t.Errorf("nothing known: config %v, want it untouched", c.Config)
	}
}
