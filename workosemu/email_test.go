package workosemu_test

import (
	"fmt"
	"testing"

	"github.com/mig-tools/mig/accept"
	"github.com/mig-tools/mig/workosemu"
)

// TestEmailAcceptance holds the emulator to accept.Email, the rule mig's
// check and validate-package use: an address it rejects is refused on
// create and on update, and one it passes (OK, or valid with an acceptance
// by WorkOS that is unknown, as the address of issue 11) is taken.
func TestEmailAcceptance(t *testing.T) {
	e := startEmu(t, workosemu.Options{})
	addresses := []string{
		"ada@example.com",
		"zoë.1@example.com",
		"ada@bücher.example",
		`"ada lovelace"@example.com`,
		"ada@[192.0.2.1]",
		"ada..lovelace@example.com",
		"ada@localhost",
		"ada@home@example.com",
		"ada@example.123",
		"ada\u200b@example.com",
	}
	var rejected, taken int
	for i, addr := range addresses {
		v, reason := accept.Email(addr)
		create := e.do("POST", "/user_management/users", map[string]string{"email": addr})
		// The same address put on an existing user.
		other := fmt.Sprintf("user%d@example.com", i)
		id := e.do("POST", "/user_management/users", map[string]string{"email": other}).json(t)["id"]
		update := e.do("PUT", fmt.Sprintf("/user_management/users/%v", id), map[string]string{"email": addr})
		if v == accept.Rejected {
			rejected++
			create.want(t, 422, "invalid_email")
			update.want(t, 400, "invalid_email")
			continue
		}
		taken++
		if create.Status != 201 {
			t.Errorf("create %q (%s: %s): status %d, body %s", addr, v, reason, create.Status, create.Body)
		}
		// The address is taken by the first user now: the update must be
		// refused for that, not for its syntax.
		update.want(t, 400, "email_not_available")
	}
	if rejected == 0 || taken == 0 {
		t.Fatalf("the table has %d rejected and %d taken addresses; it needs both", rejected, taken)
	}
}
