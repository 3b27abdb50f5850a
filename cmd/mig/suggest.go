package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/alecthomas/kingpin/v2"
)

// defaultDB is --db's default: the database a suggested command reaches
// without naming it.
const defaultDB = "mig.db"

// suggest returns text, a message for people that suggests mig commands
// (a next step, a hint, a fix), with --db PATH after every "mig COMMAND"
// in it when the database at dbPath is not the default one (another was
// given by --db or MIG_DB), so that a command copied from the message acts
// on the same database. PATH is quoted for a POSIX shell when it needs it.
// Every message that suggests a command goes through it.
func suggest(dbPath, text string) string {
	if isDefaultDB(dbPath) {
		return text
	}
	flag := " --db " + shellWord(dbPath)
	var b strings.Builder
	last := 0
	for _, m := range migCommandWord.FindAllStringSubmatchIndex(text, -1) {
		// m[2]:m[3] is the word before "mig" (or nothing), m[4]:m[5] the
		// word after it.
		if !topCommands()[text[m[4]:m[5]]] {
			continue
		}
		at := m[4] - 1 // the space after "mig"
		b.WriteString(text[last:at])
		b.WriteString(flag)
		last = at
	}
	b.WriteString(text[last:])
	return b.String()
}

// isDefaultDB says whether dbPath is ./mig.db, however it is spelled.
func isDefaultDB(dbPath string) bool {
	if dbPath == "" || filepath.Clean(dbPath) == defaultDB {
		return true
	}
	abs, err := filepath.Abs(dbPath)
	def, derr := filepath.Abs(defaultDB)
	return err == nil && derr == nil && abs == def
}

// migCommandWord finds "mig" as a word followed by a word that may be a
// command ("mig check"): not part of a longer name (workos-migrate), not
// followed by a flag (a command that names its flags already), not in
// double quotes (the command line of another process, which a hint quotes
// as it ran: "mig ingest clerk" (pid 123)).
var migCommandWord = regexp.MustCompile(`(^|[^\w./"-])mig ([a-z][a-z-]*)`)

// topCommands are the names of mig's commands, from its own command tree.
var topCommands = sync.OnceValue(func() map[string]bool {
	app := kingpin.New("mig", "")
	for _, c := range configurers {
		c(app, &env{})
	}
	names := map[string]bool{}
	for _, c := range app.Model().Commands {
		names[c.Name] = true
	}
	return names
})
