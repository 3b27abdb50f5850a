// Package accept says what WorkOS accepts in the fields mig sends it, so
// that every stage that judges a value asks the same function: the check
// rules (through functions they register with SQLite), validate-package,
// and the emulator that stands in for WorkOS. It is a leaf: it imports
// nothing of mig, and every stage may import it.
//
// The WorkOS OpenAPI spec types these fields as plain strings and says
// nothing of their syntax, so a verdict is one of three: OK (an ordinary
// value that WorkOS is known to take), Rejected (not a value of that kind
// at all: WorkOS cannot take it) and Unknown (a valid value by the
// standards, which WorkOS may or may not take). Check rules report
// Rejected as an error and Unknown as a warning; the emulator, which has
// to answer one way, accepts Unknown.
package accept

// Verdict is what WorkOS is expected to do with a value.
type Verdict int

// The verdicts, from good to bad.
const (
	// OK: WorkOS takes the value.
	OK Verdict = iota
	// Unknown: the value is valid by its standard, but whether WorkOS
	// takes it is not known (the spec is silent); it is sent, with a
	// warning.
	Unknown
	// Rejected: the value is not one of its kind; WorkOS cannot take it.
	Rejected
)

// String is the verdict's name as the check rules pass it to SQL
// functions: ok, unknown or rejected.
func (v Verdict) String() string {
	switch v {
	case OK:
		return "ok"
	case Unknown:
		return "unknown"
	case Rejected:
		return "rejected"
	}
	return "invalid"
}

// ParseVerdict reads a verdict's name, as String writes it.
func ParseVerdict(s string) (Verdict, bool) {
	for _, v := range []Verdict{OK, Unknown, Rejected} {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// MaxNameChars bounds a user's first_name and last_name, in characters.
// The spec states no bound for them; the longest name it bounds anywhere
// is a group's (CreateGroupDto.name, 256 characters), so a person's name
// over that is reported, as a warning: no real name comes near it, and
// whether WorkOS takes one is not known.
const MaxNameChars = 256
