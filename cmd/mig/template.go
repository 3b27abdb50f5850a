package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/pkgcontract"
)

func init() { register(configureTemplateCmd) }

func configureTemplateCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var name, output string
	names := make([]string, 0, len(pkgcontract.Templates))
	for n := range pkgcontract.Templates {
		names = append(names, n)
	}
	sort.Strings(names)
	cmd := app.Command("template", "Write a blank CSV template of the package contract, header only, to fill by hand.")
	oneOfArg(cmd.Arg("name", "Which template (- and _ are the same).").Required(), "template", &name, names...)
	cmd.Flag("output", "File to write (default: stdout); never overwritten.").Short('o').StringVar(&output)
	return cmd, func(ctx context.Context, e *env) error {
		f, _ := pkgcontract.FileByKey(pkgcontract.Templates[name])
		var w io.Writer = e.Stdout
		if output != "" {
			out, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("template %s: %w", name, err)
			}
			defer out.Close()
			w = out
		}
		cw := csv.NewWriter(w)
		cw.Write(f.Header)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if output != "" {
			fmt.Fprintf(e.Stderr, "wrote %s (%s)\n", output, f.Path)
		}
		return nil
	}
}
