package importer_test

import (
	"context"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// TestEmailSentAsStaged: issue 11 found whole addresses lower-cased on
// import although the check calls that the opt-in `mig check --fix
// --lowercase-emails`. The address sent is the staged one (email_raw, after
// fixes), capitals and all; users.email, the lower-cased key, is only for
// comparing.
func TestEmailSentAsStaged(t *testing.T) {
	ctx := context.Background()
	emu, url := emulator(t, workosemu.Options{})
	s := newStage(t)
	ada := s.user(userSpec{email: "ada.lovelace@example.com", first: "Ada"})
	s.exec(`UPDATE users SET email_raw = 'Ada.Lovelace@Example.COM' WHERE id = ?`, ada)
	s.totp(ada, "JBSWY3DPEHPK3PXP")

	if _, err := importer.Run(ctx, s.db, opts(url)); err != nil {
		t.Fatalf("import: %v", err)
	}
	st := emu.Snapshot()
	if len(st.Users) != 1 || st.Users[0].Email != "Ada.Lovelace@Example.COM" {
		t.Fatalf("WorkOS users %+v; want one, with the address as staged", st.Users)
	}
	if len(st.Factors) != 1 || st.Factors[0].User != "Ada.Lovelace@Example.COM" {
		t.Errorf("factors %+v; want one labelled with the address as staged", st.Factors)
	}
}
