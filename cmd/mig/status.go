package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureStatusCmd) }

func configureStatusCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var asJSON bool
	cmd := app.Command("status", "Counts of what is staged, skipped, warned about, checked and imported.")
	cmd.Flag("json", "Print JSON instead of a table.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error { return runStatus(ctx, e, asJSON) }
}

// runStatus prints the status report of the database at e.DB.
func runStatus(ctx context.Context, e *env, asJSON bool) error {
	{
		db, err := staging.OpenReadOnly(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		var rows []struct {
			Entity string `db:"entity" json:"entity"`
			Stage  string `db:"stage" json:"stage"`
			N      int64  `db:"n" json:"count"`
		}
		if err := db.SelectContext(ctx, &rows, sqlqueries.MustLoad("inspect/status.sql").SQL); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		var warn []struct {
			Code string `db:"code" json:"code"`
			N    int64  `db:"n" json:"count"`
		}
		if err := db.SelectContext(ctx, &warn, `SELECT code, count(*) AS n FROM warnings GROUP BY code ORDER BY n DESC, code`); err != nil {
			return err
		}
		var runs []struct {
			ID       int64  `db:"id" json:"id"`
			Provider string `db:"provider" json:"provider"`
			Tenant   string `db:"source_tenant" json:"source_tenant"`
			Finished string `db:"finished_at" json:"finished_at"`
			Rows     int64  `db:"rows_read" json:"rows_read"`
		}
		if err := db.SelectContext(ctx, &runs, sqlqueries.MustLoad("cmd/recent_ingests.sql").SQL); err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"database": e.DB, "counts": rows, "warnings_by_code": warn, "recent_ingests": runs})
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "ENTITY\tSTAGE\tCOUNT\n")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", r.Entity, r.Stage, r.N)
		}
		tw.Flush()
		if len(warn) > 0 {
			fmt.Fprintln(e.Stdout)
			tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "WARNING\tCOUNT\n")
			for _, w := range warn {
				fmt.Fprintf(tw, "%s\t%d\n", w.Code, w.N)
			}
			tw.Flush()
		}
		if len(runs) > 0 {
			fmt.Fprintln(e.Stdout)
			tw = tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "INGEST RUN\tPROVIDER\tTENANT\tROWS\tFINISHED\n")
			for _, r := range runs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", r.ID, r.Provider, r.Tenant, r.Rows, r.Finished)
			}
			tw.Flush()
		}
		return nil
	}
}
