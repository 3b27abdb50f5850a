package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureSQLCmd) }

func configureSQLCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var (
		query  string
		named  string
		format string
		params = map[string]string{}
		tables bool
		list   bool
		asJSON bool
	)
	cmd := app.Command("sql", "Run a read-only SQL query on the staging database; results go to stdout.")
	cmd.Arg("query", "The SQL, or - to read it from stdin.").StringVar(&query)
	oneOf(cmd.Flag("format", "Output format.").Short('f').Default("table"), &format, "table", "csv", "json", "ndjson")
	cmd.Flag("param", "A named parameter, used in the query as :name.").Short('p').StringMapVar(&params)
	cmd.Flag("tables", "List tables and views with their row counts.").BoolVar(&tables)
	cmd.Flag("query", "Run a named query from mig's inspect library (see --list).").StringVar(&named)
	cmd.Flag("list", "List the named inspect queries (in --format).").BoolVar(&list)
	cmd.Flag("json", "The same as --format json.").BoolVar(&asJSON)
	return cmd, func(ctx context.Context, e *env) error {
		if asJSON {
			format = "json"
		}
		if list {
			qs, err := sqlqueries.Dir("inspect")
			if err != nil {
				return err
			}
			if format != "table" {
				recs := make([][]any, len(qs))
				for i, q := range qs {
					recs[i] = []any{q.Name, q.Get("description")}
				}
				return writeRecords(e.Stdout, format, []string{"name", "description"}, recs)
			}
			for _, q := range qs {
				fmt.Fprintf(e.Stdout, "%-28s %s\n", q.Name, q.Get("description"))
			}
			return nil
		}
		db, err := staging.OpenReadOnly(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		switch {
		case tables:
			query = tablesQuery(ctx, db)
		case named != "":
			q, err := namedQuery(named)
			if err != nil {
				return err
			}
			query = q
		case query == "-" || query == "":
			// kingpin hands a lone "-" over as an empty argument, so an empty
			// query also means "read it from stdin".
			b, err := io.ReadAll(e.Stdin)
			if err != nil {
				return err
			}
			query = string(b)
			if strings.TrimSpace(query) == "" {
				return usageError{"give a query, - to read one from stdin, --query NAME or --tables"}
			}
		}
		var args []any
		for k, v := range params {
			args = append(args, sql.Named(k, v))
		}
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("query: %w", db.Refused(err))
		}
		defer rows.Close()
		_, cut, err := writeRows(e.Stdout, rows, format)
		if cut > 0 {
			fmt.Fprintf(e.Stderr, "mig sql: %d value(s) cut at %d characters (\"...\"); --format csv, json or ndjson prints them whole\n", cut, cellMax)
		}
		return err
	}
}

func namedQuery(name string) (string, error) {
	qs, err := sqlqueries.Dir("inspect")
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.Name == name {
			return q.SQL, nil
		}
	}
	return "", usageError{fmt.Sprintf("no inspect query named %q (mig sql --list shows them)", name)}
}

// tablesQuery builds one UNION ALL query counting every table and view.
func tablesQuery(ctx context.Context, db *staging.DB) string {
	var objs []struct {
		Name string `db:"name"`
		Type string `db:"type"`
	}
	db.SelectContext(ctx, &objs, sqlqueries.MustLoad("cmd/schema_objects.sql").SQL)
	var parts []string
	for _, o := range objs {
		parts = append(parts, fmt.Sprintf("SELECT '%s' AS name, '%s' AS type, (SELECT count(*) FROM \"%s\") AS rows", o.Name, o.Type, o.Name))
	}
	if len(parts) == 0 {
		return "SELECT 'none' AS name, '' AS type, 0 AS rows"
	}
	return strings.Join(parts, " UNION ALL ")
}

// hinted is an error with a next step for the user.
type hinted struct {
	error
	hint string
}

func (h hinted) Hint() string  { return h.hint }
func (h hinted) Unwrap() error { return h.error }

func withHint(err error, hint string) error { return hinted{err, hint} }
