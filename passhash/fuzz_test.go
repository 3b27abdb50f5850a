package passhash_test

import (
	"bytes"
	"testing"

	"github.com/mig-tools/mig/passhash"
)

// The parsers read hashes from exports nobody at mig wrote: whatever they
// are given, they answer with an error, never a panic. Run one with
// go test ./passhash -fuzz FuzzValidate (the seeds run in every go test).

var fuzzSeeds = []string{
	"$2b$10$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2",
	"$2b$03$U4C0ZY8OG8y41F9LusfKyu3HRMBL0rCZcKBVsXhgr.n8Ou6FPhzO2",
	"$2x$10$",
	"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
	"$argon2i$m=1,t=1,p=1$c2FsdA$aGFzaA",
	"$argon2id$v=19$m=,t=3,p=4$c2FsdA$aGFzaA",
	"$pbkdf2-sha256$i=600000,l=4$c2FsdA$AQIDBA",
	"$pbkdf2$i=1$.A$AQ==",
	"$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
	"$scrypt$n=3,r=8,p=1$c2FsdA$aGFzaA",
	"$firebase-scrypt$hash=aGFzaA==$salt=c2FsdA==$sk=a2V5$ss=Bw==$r=8$m=14",
	"$firebase-scrypt$hash=aGF-aA$salt=c2FsdA$sk=a2V5$ss=Bw$r=8$m=14",
	"$firebase-scrypt$hash=$salt=$sk=$ss=$r=$m=",
	"$firebase-scrypt$",
	"{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0",
	"{SSHA}",
	"$", "$$$$", "", " ",
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, typ := range passhash.Types {
			f.Add(typ, s)
		}
	}
	f.Add("md5", "5f4dcc3b5aa765d61d8327deb882cf99")
	f.Fuzz(func(t *testing.T, typ, hash string) {
		err := passhash.Validate(typ, hash)
		if detected, ok := passhash.Detect(hash); ok && !passhash.IsType(detected) {
			t.Errorf("Detect(%q) = %q, not a WorkOS type", hash, detected)
		}
		if err == nil && !passhash.IsType(typ) {
			t.Errorf("Validate took type %q", typ)
		}
		if err == nil {
			if detected, ok := passhash.Detect(hash); !ok || detected != typ {
				t.Errorf("Validate(%s, %q) took a hash Detect calls %q, %v", typ, hash, detected, ok)
			}
		}
	})
}

// FuzzParseFirebaseScrypt: a string that parses writes back as one that
// Validate takes and that parses to the same parameters.
func FuzzParseFirebaseScrypt(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := passhash.ParseFirebaseScrypt(s)
		if err != nil {
			return
		}
		out := p.String()
		if err := passhash.Validate("firebase-scrypt", out); err != nil {
			t.Fatalf("Validate(String()) of %q: %v", s, err)
		}
		back, err := passhash.ParseFirebaseScrypt(out)
		if err != nil || !bytes.Equal(back.Hash, p.Hash) || !bytes.Equal(back.Salt, p.Salt) || !bytes.Equal(back.SignerKey, p.SignerKey) ||
			!bytes.Equal(back.SaltSeparator, p.SaltSeparator) || back.Rounds != p.Rounds || back.MemCost != p.MemCost {
			t.Fatalf("%q -> %q -> %+v, %v", s, out, back, err)
		}
	})
}

// FuzzParsePBKDF2: the PHC parser behind every PHC type; a string that
// parses writes back as one that parses to the same parameters.
func FuzzParsePBKDF2(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := passhash.ParsePBKDF2(s)
		if err != nil {
			return
		}
		out := p.String()
		back, err := passhash.ParsePBKDF2(out)
		if err != nil || back.PRF != p.PRF || back.Iterations != p.Iterations || !bytes.Equal(back.Salt, p.Salt) || !bytes.Equal(back.Hash, p.Hash) {
			t.Fatalf("%q -> %q -> %+v, %v", s, out, back, err)
		}
	})
}
