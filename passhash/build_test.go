package passhash_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/mig-tools/mig/passhash"
)

// TestParseFirebaseScrypt reads a firebase-scrypt string back into its
// parameters, in standard or URL-safe base64, padded or not, and writes it
// again in the standard form Validate takes.
func TestParseFirebaseScrypt(t *testing.T) {
	v := firebaseVectors(t)[0]
	want := v.params(t)
	std := want.String()
	u := base64.RawURLEncoding.EncodeToString
	url := fmt.Sprintf("$firebase-scrypt$hash=%s$salt=%s$sk=%s$ss=%s$r=%d$m=%d", u(want.Hash), u(want.Salt), u(want.SignerKey), u(want.SaltSeparator), want.Rounds, want.MemCost)
	unpadded := strings.NewReplacer("==$", "$", "=$", "$").Replace(std)
	if url == std || !strings.ContainsAny(url, "-_") {
		t.Fatalf("the vector has no URL-safe difference: %s", url)
	}
	for _, s := range []string{std, url, unpadded} {
		got, err := passhash.ParseFirebaseScrypt(s)
		if err != nil {
			t.Fatalf("ParseFirebaseScrypt(%s): %v", s, err)
		}
		if !bytes.Equal(got.Hash, want.Hash) || !bytes.Equal(got.Salt, want.Salt) || !bytes.Equal(got.SignerKey, want.SignerKey) ||
			!bytes.Equal(got.SaltSeparator, want.SaltSeparator) || got.Rounds != want.Rounds || got.MemCost != want.MemCost {
			t.Errorf("ParseFirebaseScrypt(%s) = %+v; want %+v", s, got, want)
		}
		if got.String() != std {
			t.Errorf("String() after parsing %s = %s; want %s", s, got.String(), std)
		}
	}
	if err := passhash.Validate("firebase-scrypt", url); err == nil {
		t.Error("Validate took URL-safe base64; WorkOS's string is standard")
	}
	for _, bad := range []string{
		" " + std,
		"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8",
		"$firebase-scrypt$hash=a+b-$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14",
		"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=0$m=14",
		"$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
	} {
		if _, err := passhash.ParseFirebaseScrypt(bad); err == nil {
			t.Errorf("ParseFirebaseScrypt(%q) = nil error", bad)
		}
	}
}

// TestFirebaseDeriveRefusesParameters: a source builds FirebaseScrypt from
// its own configuration; parameters scrypt cannot take are an error, not a
// panic or a gigantic allocation.
func TestFirebaseDeriveRefusesParameters(t *testing.T) {
	for _, f := range []passhash.FirebaseScrypt{{Rounds: 8, MemCost: -1}, {Rounds: 8, MemCost: 64}, {Rounds: 0, MemCost: 14}, {Rounds: 65, MemCost: 14}} {
		if _, err := f.Derive([]byte("pw")); err == nil {
			t.Errorf("Derive with r=%d m=%d: want an error", f.Rounds, f.MemCost)
		}
	}
}

// TestPBKDF2String builds the PHC string WorkOS takes from a source's
// parameters and reads it back.
func TestPBKDF2String(t *testing.T) {
	tests := []struct {
		p    passhash.PBKDF2
		want string
	}{
		{passhash.PBKDF2{PRF: "sha256", Iterations: 600000, Salt: []byte("salt"), Hash: []byte{1, 2, 3, 4}}, "$pbkdf2-sha256$i=600000,l=4$c2FsdA$AQIDBA"},
		{passhash.PBKDF2{PRF: "sha1", Iterations: 1000, Salt: []byte("salt"), Hash: []byte{1, 2, 3, 4}}, "$pbkdf2-sha1$i=1000,l=4$c2FsdA$AQIDBA"},
		{passhash.PBKDF2{PRF: "sha512", Iterations: 1, Salt: []byte{0xfb, 0xff}, Hash: bytes.Repeat([]byte{0xff}, 64)}, "$pbkdf2-sha512$i=1,l=64$+/8$" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 64))},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %s; want %s", got, tc.want)
		}
		if err := passhash.Validate("pbkdf2", tc.want); err != nil {
			t.Errorf("Validate(%s): %v", tc.want, err)
		}
		back, err := passhash.ParsePBKDF2(tc.want)
		if err != nil || back.PRF != tc.p.PRF || back.Iterations != tc.p.Iterations || !bytes.Equal(back.Salt, tc.p.Salt) || !bytes.Equal(back.Hash, tc.p.Hash) {
			t.Errorf("ParsePBKDF2(%s) = %+v, %v; want %+v", tc.want, back, err, tc.p)
		}
	}
	if p, err := passhash.ParsePBKDF2("$pbkdf2$i=1000$c2FsdA$AQIDBA"); err != nil || p.PRF != "sha1" {
		t.Errorf("passlib's plain pbkdf2 = %+v, %v; want PRF sha1", p, err)
	}
	if _, err := passhash.ParsePBKDF2("$pbkdf2-md5$i=1000$c2FsdA$AQIDBA"); err == nil {
		t.Error("pbkdf2-md5: want an error")
	}
}

// TestDecodeBase64 takes both alphabets, padded or not.
func TestDecodeBase64(t *testing.T) {
	want := []byte{0xfb, 0xff, 0xbf}
	for _, s := range []string{"+/+/", "-_-_", "+/+/==", "-_-_="} {
		if got, err := passhash.DecodeBase64(s); err != nil || !bytes.Equal(got, want) {
			t.Errorf("DecodeBase64(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"+_", "!!", "a"} {
		if _, err := passhash.DecodeBase64(s); err == nil {
			t.Errorf("DecodeBase64(%q): want an error", s)
		}
	}
}
