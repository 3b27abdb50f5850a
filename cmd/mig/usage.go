package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/kingpin/v2"
)

// kingpinOutputFlags are kingpin's own flags that print something and stop:
// help, the version and shell completion. What they print is what the user
// asked for, so it goes to stdout and the exit code is 0.
var kingpinOutputFlags = map[string]bool{
	"help": true, "help-long": true, "help-man": true, "version": true,
	"completion-bash": true, "completion-script-bash": true, "completion-script-zsh": true,
}

// terminated is how kingpin's Terminate stops the parse: kingpin goes on
// after calling it (and so printed the usage twice for `mig --help`), so it
// panics with this value and parseArgs recovers it.
type terminated struct{ code int }

// parseArgs parses the command line and returns the command to run. When
// done is true there is nothing to run and the process exits with code:
// help, the version or a completion was printed on stdout (0), or the
// command line was wrong and stderr says why, with the nearest command or
// flag when one was mistyped and the help to read (2).
func parseArgs(app *kingpin.Application, args []string, stdout, stderr io.Writer) (chosen string, code int, done bool) {
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	// ParseContext only matches the words to commands, flags and arguments:
	// it sets no value and runs no action, so it can look before Parse runs.
	pc, err := app.ParseContext(args)
	prints := kingpinPrints(pc)
	if err != nil && !prints {
		return "", usageFailure(stderr, app, pc, err), true
	}
	if words, ok := helpTopic(app, pc); ok {
		// `mig help WORDS` would otherwise print kingpin's own error for a
		// mistyped WORDS, without the nearest command.
		if hpc, err := app.ParseContext(words); err != nil {
			return "", usageFailure(stderr, app, hpc, err), true
		}
		prints = true
	}
	switch {
	case prints:
		app.UsageWriter(stdout)
	case pc.SelectedCommand == nil:
		fmt.Fprintln(stderr, "mig: no command given")
		if err := app.UsageForContext(pc); err != nil {
			fmt.Fprintln(stderr, err)
		}
		return "", exitUsage, true
	}
	var term *terminated
	func() {
		defer func() {
			if r := recover(); r != nil {
				t, ok := r.(terminated)
				if !ok {
					panic(r)
				}
				term = &t
			}
		}()
		app.Terminate(func(code int) { panic(terminated{code}) })
		chosen, err = app.Parse(args)
	}()
	switch {
	case term != nil && term.code == 0:
		return "", exitOK, true
	case term != nil:
		return "", exitUsage, true // kingpin printed the error
	case err != nil:
		return "", usageFailure(stderr, app, pc, err), true
	}
	return chosen, exitOK, false
}

// kingpinPrints says whether the command line asks kingpin for help, the
// version or a completion.
func kingpinPrints(pc *kingpin.ParseContext) bool {
	if pc == nil {
		return false
	}
	for _, el := range pc.Elements {
		switch c := el.Clause.(type) {
		case *kingpin.FlagClause:
			if kingpinOutputFlags[c.Model().Name] {
				return true
			}
		case *kingpin.CmdClause:
			if c.FullCommand() == "help" {
				return true
			}
		}
	}
	return false
}

// helpTopic returns the words after `mig help`, when that is the command.
func helpTopic(app *kingpin.Application, pc *kingpin.ParseContext) ([]string, bool) {
	if pc == nil || app.HelpCommand == nil || pc.SelectedCommand != app.HelpCommand {
		return nil, false
	}
	var words []string
	for _, el := range pc.Elements {
		if _, ok := el.Clause.(*kingpin.ArgClause); ok && el.Value != nil {
			words = append(words, *el.Value)
		}
	}
	return words, true
}

// usageFailure prints a command-line mistake, the nearest command or flag
// when a name was mistyped, and the help to read; it returns exit code 2.
func usageFailure(w io.Writer, app *kingpin.Application, pc *kingpin.ParseContext, err error) int {
	msg := err.Error()
	where := "mig"
	if pc != nil && pc.SelectedCommand != nil {
		where = "mig " + pc.SelectedCommand.FullCommand()
	}
	if pc != nil {
		if tok := pc.Peek(); tok != nil {
			switch tok.Type {
			case kingpin.TokenArg:
				if names := subcommandNames(app, pc.SelectedCommand); len(names) > 0 {
					msg = fmt.Sprintf("unknown command %q", tok.Value)
					if where != "mig" {
						msg += fmt.Sprintf(" for %q", where)
					}
					msg += didYouMean(tok.Value, names)
				}
			case kingpin.TokenLong:
				if s := nearest(tok.Value, flagNames(app, pc)); s != "" {
					msg += fmt.Sprintf("; did you mean --%s?", s)
				}
			}
		}
	}
	fmt.Fprintf(w, "mig: %s\nTry: %s --help\n", msg, where)
	return exitUsage
}

// subcommandNames lists the visible commands under cmd, or the top-level
// commands when cmd is nil.
func subcommandNames(app *kingpin.Application, cmd *kingpin.CmdClause) []string {
	var cmds []*kingpin.CmdModel
	if cmd == nil {
		cmds = app.Model().Commands
	} else {
		cmds = cmd.Model().Commands
	}
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return names
}

// flagNames lists the visible long flags in scope: the global ones and
// those of every command on the command line so far.
func flagNames(app *kingpin.Application, pc *kingpin.ParseContext) []string {
	flags := app.Model().Flags
	for _, el := range pc.Elements {
		if c, ok := el.Clause.(*kingpin.CmdClause); ok {
			flags = append(flags, c.Model().Flags...)
		}
	}
	var names []string
	for _, f := range flags {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	return names
}

// didYouMean returns `; did you mean "x"?` for the name nearest to word, or
// "" when none is near enough to be a likely typo.
func didYouMean(word string, names []string) string {
	if s := nearest(word, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// nearest returns the name closest to word: one it is the start of, else
// the one fewest edits away (a swap of two neighbouring letters is one
// edit), when that is at most a third of word's length (at least 1). Ties go
// to the first name in sorted order, so the answer does not depend on the
// order of names.
func nearest(word string, names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	lw := strings.ToLower(word)
	if lw != "" {
		var prefixed []string
		for _, n := range sorted {
			if strings.HasPrefix(n, lw) {
				prefixed = append(prefixed, n)
			}
		}
		if len(prefixed) == 1 {
			return prefixed[0]
		}
	}
	best, bestD := "", max(1, len([]rune(word))/3)+1
	for _, n := range sorted {
		if d := editDistance(lw, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters,
// each costing one.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j] is the distance between s[:i] and t[:j].
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// choice is the value of a flag or argument that takes one name from a
// fixed list. Hyphens and underscores are the same to it, so
// `role-definitions` is `role_definitions`; an unknown name is refused with
// the list and the nearest name.
type choice struct {
	what   string // "--format", "template name": how the error names it
	target *string
	values []string
}

func (c choice) Set(s string) error {
	canon := func(v string) string { return strings.ReplaceAll(strings.ToLower(v), "-", "_") }
	for _, v := range c.values {
		if canon(v) == canon(s) {
			*c.target = v
			return nil
		}
	}
	return fmt.Errorf("%s %q is not one of %s%s", c.what, s, strings.Join(c.values, ", "), didYouMean(canon(s), c.values))
}

func (c choice) String() string { return *c.target }

// oneOf makes flag f take one of values: its help lists them, shell
// completion offers them, and a near miss is answered with the nearest.
// It replaces kingpin's EnumVar, whose help does not say what it accepts.
func oneOf(f *kingpin.FlagClause, target *string, values ...string) {
	f.Help(withValues(f.Model().Help, values))
	f.HintOptions(values...)
	f.SetValue(choice{what: "--" + f.Model().Name, target: target, values: values})
}

// oneOfArg is oneOf for a positional argument; what names it in errors.
func oneOfArg(a *kingpin.ArgClause, what string, target *string, values ...string) {
	a.Help(withValues(a.Model().Help, values))
	a.HintOptions(values...)
	a.SetValue(choice{what: what, target: target, values: values})
}

func withValues(help string, values []string) string {
	return strings.TrimSpace(help + " One of: " + strings.Join(values, ", ") + ".")
}
