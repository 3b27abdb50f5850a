// Package schema holds the staging database's goose migrations: tables,
// indexes and the views people and later stages read. A view is schema, so a
// changed view is a new migration.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the migration files, rooted so that goose sees them at
// the top level.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded; this cannot fail at run time
	}
	return sub
}
