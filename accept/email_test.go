package accept_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mig-tools/mig/accept"
)

func TestEmail(t *testing.T) {
	cases := []struct {
		email  string
		want   accept.Verdict
		reason string // a part of the reason; "" for OK
	}{
		{"ada@example.com", accept.OK, ""},
		{"Ada.Lovelace@Example.COM", accept.OK, ""},
		{"ada+tag@mail.example.co.uk", accept.OK, ""},
		{"o'brien@example.com", accept.OK, ""},
		{"ada@xn--bcher-kva.example", accept.OK, ""},
		{"a!#$%&*/=?^_`{|}~-@example.com", accept.OK, ""},
		{strings.Repeat("a", 64) + "@example.com", accept.OK, ""},

		// issue 11: a real person's address, valid by RFC 6531, that the
		// check called an error while the emulator took it.
		{"zoë.1@example.com", accept.Unknown, "outside ASCII"},
		{"用户@example.com", accept.Unknown, "outside ASCII"},
		{"ada@bücher.example", accept.Unknown, "internationalised"},
		{"zoë@bücher.example", accept.Unknown, "outside ASCII (RFC 6531); the domain is internationalised"},
		{`"ada lovelace"@example.com`, accept.Unknown, "quoted"},
		{`"a\"b@c"@example.com`, accept.Unknown, "quoted"},
		{"ada@[192.0.2.1]", accept.Unknown, "IP address"},
		{"ada@[IPv6:2001:db8::1]", accept.Unknown, "IP address"},

		{"", accept.Rejected, "empty"},
		{"ada.example.com", accept.Rejected, "no @"},
		{"@example.com", accept.Rejected, "nothing before"},
		{"ada@", accept.Rejected, "nothing after"},
		{"ada@home@example.com", accept.Rejected, "'@' is not allowed before"},
		{"ada lovelace@example.com", accept.Rejected, "' ' is not allowed before"},
		{"ada,b@example.com", accept.Rejected, "',' is not allowed"},
		{`a"b@example.com`, accept.Rejected, `'"' is not allowed`},
		{`"a"b"@example.com`, accept.Rejected, "unescaped"},
		{`"ab\"@example.com`, accept.Rejected, "lone"},
		{" ada@example.com", accept.Rejected, "whitespace"},
		{"ada@example.com\u00a0", accept.Rejected, "whitespace"},
		{"\ufeffada@example.com", accept.Rejected, "whitespace"},
		{"ada\u200b@example.com", accept.Rejected, "invisible"},
		{"ada\x00@example.com", accept.Rejected, "U+0000"},
		{"ada@exa\tmple.com", accept.Rejected, "U+0009"},
		{"ada\x7f@example.com", accept.Rejected, "U+007F"},
		{"ad\xffa@example.com", accept.Rejected, "UTF-8"},
		{"ada..lovelace@example.com", accept.Rejected, "two in a row"},
		{".ada@example.com", accept.Rejected, "dot at the start"},
		{"ada.@example.com", accept.Rejected, "dot at the start or end"},
		{strings.Repeat("a", 65) + "@example.com", accept.Rejected, "65 bytes"},
		{"a@" + strings.Repeat("b", 62) + "." + strings.Repeat("c", 62) + "." + strings.Repeat("d", 62) + "." + strings.Repeat("e", 62) + ".com", accept.Rejected, "257 bytes long; at most 254"},
		{"ada@localhost", accept.Rejected, "no dot"},
		{"ada@example.com.", accept.Rejected, "ends with a dot"},
		{"ada@example..com", accept.Rejected, "empty label"},
		{"ada@.example.com", accept.Rejected, "empty label"},
		{"ada@-example.com", accept.Rejected, "hyphen"},
		{"ada@ex_ample.com", accept.Rejected, "'_' is not allowed in the domain"},
		{"ada@" + strings.Repeat("x", 64) + ".com", accept.Rejected, "63"},
		{"ada@example.123", accept.Rejected, "all digits"},
		{"ada@[example.com]", accept.Rejected, "not an IP address"},
		{"ada@[192.0.2.1", accept.Rejected, "not an IP address"},
		{"ada@[2001:db8::1]", accept.Rejected, "not an IP address"},
		{"ada@[IPv6:192.0.2.1]", accept.Rejected, "not an IP address"},
	}
	for _, c := range cases {
		got, reason := accept.Email(c.email)
		if got != c.want || !strings.Contains(reason, c.reason) || (c.want == accept.OK) != (reason == "") {
			t.Errorf("Email(%q) = %s, %q; want %s with %q", c.email, got, reason, c.want, c.reason)
		}
		// Case never changes the verdict.
		if up, _ := accept.Email(strings.ToUpper(c.email)); up != got && utf8.ValidString(c.email) {
			t.Errorf("Email(%q) = %s but Email of it in capitals = %s", c.email, got, up)
		}
	}
}

func TestParseVerdict(t *testing.T) {
	for _, v := range []accept.Verdict{accept.OK, accept.Unknown, accept.Rejected} {
		if got, ok := accept.ParseVerdict(v.String()); !ok || got != v {
			t.Errorf("ParseVerdict(%q) = %v, %v", v.String(), got, ok)
		}
	}
	if _, ok := accept.ParseVerdict("maybe"); ok {
		t.Error(`ParseVerdict("maybe") is ok`)
	}
}

func ExampleEmail() {
	for _, e := range []string{"ada@example.com", "zoë.1@example.com", "ada@@example.com"} {
		v, reason := accept.Email(e)
		fmt.Printf("%s: %s %q\n", e, v, reason)
	}
	// Output:
	// ada@example.com: ok ""
	// zoë.1@example.com: unknown "the part before the @ has characters outside ASCII (RFC 6531)"
	// ada@@example.com: rejected "character '@' is not allowed before the @"
}

// TestEmailControlCharacters: every character of Unicode's Cc category is
// rejected as a control character wherever it is, and no other is.
func TestEmailControlCharacters(t *testing.T) {
	for r := rune(0); r < 0x10100; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates: not in UTF-8
		}
		s := "a" + string(r) + "b@example.com"
		v, reason := accept.Email(s)
		isControl := v == accept.Rejected && strings.HasPrefix(reason, "a control character")
		if isControl != unicode.IsControl(r) {
			t.Fatalf("Email(%q) = %s, %q; Cc: %v", s, v, reason, unicode.IsControl(r))
		}
	}
}
