package main

import (
	"context"
	"io"
	"strings"

	"github.com/alecthomas/kingpin/v2"
)

func init() { register(configureCompletionCmd) }

// fishCompletion asks mig for its completions the way kingpin's bash and
// zsh scripts do: `mig --completion-bash WORDS...` prints the words that
// can follow (commands, flags, the values of a one-of flag). kingpin
// v2.4.0 has no fish script of its own. The word being typed is passed
// quoted: fish expands a quoted empty list to one empty word, which is how
// kingpin knows a new word is starting.
const fishCompletion = `# fish completion for {{name}}: {{name}} completion fish > ~/.config/fish/completions/{{name}}.fish
function __{{name}}_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    $words[1] --completion-bash $words[2..-1] "$current"
end
complete -c {{name}} -a '(__{{name}}_complete)'
`

// configureCompletionCmd declares `mig completion SHELL`: the script that
// makes the shell complete mig's commands, flags and flag values.
func configureCompletionCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var shell string
	cmd := app.Command("completion", "Print the shell completion script: source <(mig completion bash) in ~/.bashrc, source <(mig completion zsh) in ~/.zshrc, mig completion fish > ~/.config/fish/completions/mig.fish.")
	oneOfArg(cmd.Arg("shell", "The shell.").Required(), "shell", &shell, "bash", "zsh", "fish")
	return cmd, func(ctx context.Context, e *env) error { return writeCompletion(app, shell, e.Stdout) }
}

// writeCompletion prints kingpin's script for bash or zsh, or mig's own for
// fish.
func writeCompletion(app *kingpin.Application, shell string, w io.Writer) error {
	if shell == "fish" {
		_, err := io.WriteString(w, strings.ReplaceAll(fishCompletion, "{{name}}", app.Name))
		return err
	}
	tmpl := kingpin.BashCompletionTemplate
	if shell == "zsh" {
		tmpl = kingpin.ZshCompletionTemplate
	}
	pc, err := app.ParseContext(nil)
	if err != nil {
		return err
	}
	app.UsageWriter(w)
	return app.UsageForContextWithTemplate(pc, 2, tmpl)
}
