package clerk_test

import (
	"context"
	"testing"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// The decoder is tested without a database: what it hands over is
// recorded. A row without an email is skipped with its reason; a user
// comes with its mapped fields.
func TestDecodeHandsOverRows(t *testing.T) {
	content := header +
		"user_1,Ada,Lovelace,ada,ada@example.com,,ada@example.com,,,,JBSWY3DPEHPK3PXP," + bcryptDigest + ",bcrypt\n" +
		"user_2,,,,,+15550100,,,+15550100,,,,\n"
	var rec ingesttest.Recorder
	err := clerk.Decode(context.Background(), ingesttest.Files{}, &rec, clerk.Options{UsersFile: write(t, "u.csv", content)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Users) != 1 || len(rec.Skips) != 1 {
		t.Fatalf("%d users, %d skips", len(rec.Users), len(rec.Skips))
	}
	u := rec.Users[0]
	if u.SourceID != "user_1" || u.PasswordHashType != "bcrypt" || u.TOTPSecret != "JBSWY3DPEHPK3PXP" || u.Metadata["username"] != "ada" || !*u.EmailVerified {
		t.Errorf("user = %+v", u)
	}
	if s := rec.Skips[0]; s.SourceID != "user_2" || s.Row != 3 || s.Reason != "no email address (phone-only user): WorkOS users need an email" {
		t.Errorf("skip = %+v", s)
	}
}
