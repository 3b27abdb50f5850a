package main

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"import", "import", 0},
		{"improt", "import", 1}, // two neighbours swapped: one edit
		{"clerkk", "clerk", 1},
		{"stauts", "status", 1},
		{"templet", "template", 2},
		{"", "sql", 3},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a swapped pair
		{"café", "cafe", 1},
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := editDistance(c.b, c.a); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}

func TestNearest(t *testing.T) {
	commands := []string{"check", "demo", "emit", "emulator", "errors", "import", "ingest", "sql", "status", "template", "validate-package", "verify-password"}
	for _, c := range []struct{ word, want string }{
		{"improt", "import"},
		{"IMPORT", "import"},
		{"ingset", "ingest"},
		{"stats", "status"},
		{"chek", "check"},
		{"sq", "sql"},
		{"validate", "validate-package"}, // the start of one name only
		{"em", ""},                       // the start of two: emit, emulator
		{"e", ""},
		{"xyz", ""},
		{"vrfy", ""},
		{"passwords", ""},
		{"", ""},
	} {
		if got := nearest(c.word, commands); got != c.want {
			t.Errorf("nearest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	// Ties go to the first name in sorted order, whatever the input order.
	if got := nearest("tat", []string{"txt", "tab"}); got != "tab" {
		t.Errorf("tie: got %q, want tab", got)
	}
}

func TestChoice(t *testing.T) {
	var v string
	c := choice{what: "template", target: &v, values: []string{"role_definitions", "users"}}
	for _, in := range []string{"role_definitions", "role-definitions", "Role-Definitions"} {
		v = ""
		if err := c.Set(in); err != nil || v != "role_definitions" {
			t.Errorf("Set(%q): %q, %v", in, v, err)
		}
	}
	err := c.Set("role-definition")
	want := `template "role-definition" is not one of role_definitions, users; did you mean "role_definitions"?`
	if err == nil || err.Error() != want {
		t.Errorf("Set(role-definition): %v, want %s", err, want)
	}
}
