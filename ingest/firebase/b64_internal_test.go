package firebase

import "testing"

// TestIsB64AgreesWithDecode: the allocation-free check accepts exactly what
// the decoder reads, so a hash is never staged unreadable nor refused when
// it reads.
func TestIsB64AgreesWithDecode(t *testing.T) {
	for _, s := range []string{"", "QQ", "QQ==", "QUI=", "QUJD", "QUJDRA", "Q", "QUJDR", "ab+/", "ab-_", "ab+_", "a b", "ab=c", "ab===",
		"lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==", "42xEC-ixf3L2lw", "é", "QQ==\n"} {
		_, err := decodeB64(s)
		if got, want := isB64(s), err == nil; got != want {
			t.Errorf("isB64(%q) = %v, decodeB64 error %v", s, got, err)
		}
	}
}
