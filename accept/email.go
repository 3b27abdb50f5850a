package accept

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Where WorkOS's acceptance of an address is not known, and why the
// answer is Unknown (a warning) rather than Rejected (an error).
//
// The WorkOS OpenAPI spec types a user's email as a plain string: it
// states no syntax (format: email appears only on a Radar request, and
// JSON Schema leaves that format to the validator). mig therefore vouches
// only for the subset of RFC 5321 that every mail system and validator
// library takes: a dot-atom of ASCII characters before the @ and an ASCII
// host name of two or more labels after it. An address outside that
// subset but valid by the standards is a real person's address: refusing
// it here would keep that person out of the migration on a guess, so it is
// sent and the check warns. These are the cases, each with its standard:
const (
	unknownUTF8Local  = "the part before the @ has characters outside ASCII (RFC 6531)"
	unknownQuoted     = "the part before the @ is a quoted string (RFC 5321)"
	unknownUTF8Domain = "the domain is internationalised (write it in its xn-- form to be sure)"
	unknownIPLiteral  = "the domain is an IP address in brackets (RFC 5321)"
)

// Email judges an address as WorkOS would take it in a user's email field.
// reason says why the verdict is not OK, in words for a person; it is ""
// for OK. Case does not matter to the verdict. Rejected means the string
// is not an address at all, or breaks a limit of RFC 5321 (64 octets
// before the @, 254 in all, 63 per domain label).
func Email(s string) (v Verdict, reason string) {
	switch {
	case s == "":
		return Rejected, "empty"
	case !utf8.ValidString(s):
		return Rejected, "not valid UTF-8"
	}
	if r, ok := control(s); ok {
		return Rejected, fmt.Sprintf("a control character (%U)", r)
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if invisible(first) || invisible(last) {
		return Rejected, "leading or trailing whitespace"
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Rejected, "no @"
	}
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return Rejected, "nothing before the @"
	case domain == "":
		return Rejected, "nothing after the @"
	case len(local) > 64:
		return Rejected, fmt.Sprintf("the part before the @ is %d bytes; at most 64", len(local))
	case len(s) > 254:
		return Rejected, fmt.Sprintf("%d bytes long; at most 254", len(s))
	}
	var unknown []string
	u, bad := localPart(local)
	if bad != "" {
		return Rejected, bad
	}
	if u != "" {
		unknown = append(unknown, u)
	}
	u, bad = domainPart(domain)
	if bad != "" {
		return Rejected, bad
	}
	if u != "" {
		unknown = append(unknown, u)
	}
	if len(unknown) > 0 {
		return Unknown, strings.Join(unknown, "; ")
	}
	return OK, ""
}

// localPart judges the part before the @: a dot-atom, or a quoted string.
// unknown names a case of the list above; bad says why it is rejected.
func localPart(local string) (unknown, bad string) {
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		body := local[1 : len(local)-1]
		for i := 0; i < len(body); i++ {
			switch body[i] {
			case '\\':
				if i++; i == len(body) {
					return "", `a quoted part before the @ ends with a lone \`
				}
			case '"':
				return "", `an unescaped " inside the quoted part before the @`
			}
		}
		return unknownQuoted, ""
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", "a dot at the start or end of the part before the @, or two in a row"
	}
	for _, r := range local {
		switch {
		case atext(r) || r == '.':
		case r < utf8.RuneSelf:
			return "", fmt.Sprintf("character %q is not allowed before the @", r)
		case invisible(r) || !unicode.IsPrint(r):
			return "", fmt.Sprintf("an invisible character (%U) before the @", r)
		default:
			unknown = unknownUTF8Local
		}
	}
	return unknown, ""
}

// domainPart judges the part after the @: a host name of two or more
// labels, or an IP address in brackets.
func domainPart(domain string) (unknown, bad string) {
	if strings.HasPrefix(domain, "[") {
		inner, ok := strings.CutSuffix(domain[1:], "]")
		// An IPv6 address carries the tag IPv6: (case-insensitive, as every
		// string in RFC 5321's grammar); an IPv4 address none.
		v6 := len(inner) > 5 && strings.EqualFold(inner[:5], "IPv6:")
		if v6 {
			inner = inner[5:]
		}
		if a, err := netip.ParseAddr(inner); ok && err == nil && a.Zone() == "" && a.Is6() == v6 {
			return unknownIPLiteral, ""
		}
		return "", "a domain in brackets that is not an IP address"
	}
	if strings.HasSuffix(domain, ".") {
		return "", "the domain ends with a dot"
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	switch {
	case len(tld) == len(domain):
		return "", "the domain has no dot"
	case len(domain) > 253:
		return "", fmt.Sprintf("the domain is %d bytes; at most 253", len(domain))
	}
	for rest := domain; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, ".")
		switch {
		case l == "":
			return "", "an empty label in the domain (two dots in a row, or a dot first)"
		case utf8.RuneCountInString(l) > 63:
			return "", "a domain label is longer than 63 characters"
		case l[0] == '-' || l[len(l)-1] == '-':
			return "", "a domain label starts or ends with a hyphen"
		}
		for _, r := range l {
			switch {
			case r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)):
				unknown = unknownUTF8Domain
			default:
				return "", fmt.Sprintf("character %q is not allowed in the domain", r)
			}
		}
	}
	if strings.IndexFunc(tld, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return "", "the top-level domain is all digits"
	}
	return unknown, ""
}

// atext is RFC 5322's set of characters allowed in an atom.
func atext(r rune) bool { return r < utf8.RuneSelf && atextASCII[r] }

var atextASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", rune(c))
	}
	return t
}()

// control returns the first control character (Unicode's Cc) of s, which
// is valid UTF-8. In UTF-8 those are exactly the bytes below 0x20, 0x7F,
// and 0xC2 followed by 0x80 to 0x9F: reading bytes, not runes, keeps the
// check cheap on a million addresses.
func control(s string) (rune, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return rune(c), true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return rune(s[i+1]), true
		}
	}
	return 0, false
}

// invisible is whitespace, and the format characters (byte-order mark,
// zero-width space and joiners) that spreadsheets and copy-paste leave in
// a value without anyone seeing them.
func invisible(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }
