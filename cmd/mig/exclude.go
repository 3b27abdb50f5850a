package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/exclude"
	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureExcludeCmd) }

// excludeFlags are the settings of mig exclude.
type excludeFlags struct {
	sel    exclude.Selection
	reason string
	undo   bool
	dryRun bool
	asJSON bool
}

// configureExcludeCmd declares `mig exclude`: set staged users aside so
// that no import sends them (nor their memberships and factors), with a
// reason, or make them importable again with --undo. It asks nothing, so
// scripts can run it; --dry-run lists whom it would change.
func configureExcludeCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var f excludeFlags
	cmd := app.Command("exclude", "Set staged users aside so that no import sends them (nor their memberships and TOTP factors), with a reason; --undo makes them importable again.")
	cmd.Flag("where", `SQL condition on the view staged_users choosing the users, e.g. "email LIKE '%@test.example.com'" (run read-only).`).StringVar(&f.sel.Where)
	cmd.Flag("id", "The source's user id of a user to exclude (repeatable), as mig check names users.").StringsVar(&f.sel.IDs)
	cmd.Flag("email", "The email of a user to exclude (repeatable; compared without case).").StringsVar(&f.sel.Emails)
	cmd.Flag("file", "A file with one source user id or email per line (repeatable; # starts a comment line).").StringsVar(&f.sel.Files)
	cmd.Flag("reason", "Why these users are not sent: kept with each exclusion, shown by the import and the report. Required, except with --undo.").StringVar(&f.reason)
	cmd.Flag("undo", "Make the users chosen (all excluded users when none is chosen) importable again.").BoolVar(&f.undo)
	cmd.Flag("dry-run", "List the users chosen, and change nothing.").BoolVar(&f.dryRun)
	cmd.Flag("json", "Print the result as JSON on stdout.").BoolVar(&f.asJSON)
	return cmd, func(ctx context.Context, e *env) error { return runExclude(ctx, e, f) }
}

func runExclude(ctx context.Context, e *env, f excludeFlags) error {
	all := false
	switch {
	case f.undo && f.reason != "":
		return usageError{"--reason goes with excluding users, not with --undo"}
	case f.undo && f.sel.Empty():
		f.sel.Excluded, all = true, true
	case !f.undo && f.sel.Empty():
		return usageError{"choose the users to exclude: --where, --id, --email or --file"}
	case !f.undo && f.reason == "" && !f.dryRun:
		return usageError{"--reason is required: say why these users are not sent (it is kept with each exclusion, and the import and the report show it)"}
	}
	f.sel.NormalizeEmail = ingest.NormalizeEmail
	// The writer opens first: it brings the schema up to date, which the
	// read-only connection cannot.
	db, err := staging.OpenExisting(ctx, e.DB)
	if err != nil {
		return dbHint(err)
	}
	defer db.Close()
	ro, err := staging.OpenReadOnly(ctx, e.DB)
	if err != nil {
		return err
	}
	defer ro.Close()
	picked, err := exclude.Pick(ctx, ro, f.sel)
	if err != nil {
		return err
	}
	if f.dryRun {
		return listPicked(ctx, e, ro, picked, f)
	}
	// With a rollback journal an idle reader holds no lock, but closing it
	// first keeps the writer's way clear.
	ro.Close()
	var res exclude.Result
	if f.undo {
		res, err = exclude.Undo(ctx, db, picked, all)
	} else {
		res, err = exclude.Add(ctx, db, picked, f.reason)
	}
	if err != nil {
		return err
	}
	if f.asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Undo bool `json:"undo"`
			exclude.Result
		}{f.undo, res})
	}
	if f.undo {
		fmt.Fprintf(e.Stdout, "%d user(s) matched; %d made importable again (%d were not excluded)\n",
			res.Matched, res.Changed, res.Matched-res.Excluded)
		if res.Changed > 0 {
			fmt.Fprintln(e.Stderr, suggest(e.DB, "The next import sends them; run mig check first: its findings about them count again."))
		}
		return nil
	}
	fmt.Fprintf(e.Stdout, "%d user(s) matched; %d excluded now (%d were excluded already): %s\n",
		res.Matched, res.Changed, res.Excluded, f.reason)
	if res.InWorkOS > 0 {
		fmt.Fprintf(e.Stderr, "note: %d of them are in WorkOS already: an exclusion sends nothing more for them, and does not remove them from WorkOS\n", res.InWorkOS)
	}
	if res.InFlight > 0 {
		fmt.Fprintf(e.Stderr, "note: %d of them were in flight when an import stopped: the next import looks them up first, and WorkOS may have them\n", res.InFlight)
	}
	if res.Changed > 0 {
		fmt.Fprintln(e.Stderr, suggest(e.DB, "No import sends them, nor their memberships and TOTP factors; list them with: mig sql --query users_excluded"))
	}
	return nil
}

// listPicked prints the users a --dry-run would change, and what it would
// do to them.
func listPicked(ctx context.Context, e *env, ro *staging.DB, picked *exclude.Picked, f excludeFlags) error {
	var n, excluded int64
	count := func(u exclude.User) {
		n++
		if u.Excluded {
			excluded++
		}
	}
	if f.asJSON {
		io.WriteString(e.Stdout, "{\n  \"users\": [")
		err := exclude.Users(ctx, ro, picked, func(u exclude.User) error {
			b, err := json.Marshal(u)
			if err != nil {
				return err
			}
			sep := ","
			if n == 0 {
				sep = ""
			}
			count(u)
			_, err = fmt.Fprintf(e.Stdout, "%s\n    %s", sep, b)
			return err
		})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.Stdout, "\n  ],\n  \"dry_run\": true,\n  \"undo\": %t,\n  \"matched\": %d,\n  \"excluded_before\": %d\n}\n", f.undo, n, excluded)
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tSOURCE_ID\tEMAIL\tEXCLUDED\tIMPORT")
	err := exclude.Users(ctx, ro, picked, func(u exclude.User) error {
		count(u)
		src := u.Source
		if u.Tenant != "" {
			src += "/" + u.Tenant
		}
		x := "no"
		if u.Excluded {
			x = "yes: " + cell(u.Reason)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, src, cell(u.SourceID), cell(u.Email), x, orDash(u.ImportStatus))
		// Flushed in pages, so a long list is not held to size its columns.
		if n%500 == 0 {
			return tw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	tw.Flush()
	if f.undo {
		fmt.Fprintf(e.Stdout, "\ndry run: %d user(s) matched; %d would be made importable again; nothing was changed\n", n, excluded)
		return nil
	}
	fmt.Fprintf(e.Stdout, "\ndry run: %d user(s) matched; %d would be excluded (%d are excluded already); nothing was changed\n", n, n-excluded, excluded)
	return nil
}
