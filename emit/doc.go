// Package emit writes the staging database out as a migration package, the
// provider-neutral directory that workos-migrate's import-package reads, in
// the layout the package contract (pkgcontract) describes.
//
// Each package file is produced by a query in sqlqueries/emit and streamed
// to disk. The five per-user files (users.csv, organization_memberships.csv,
// user_role_assignments.csv and the upload users and memberships) come from
// merging queries in user order (userRows or userKeys, membershipRows,
// roleAssignmentRows), in two passes that run side by side: reading each
// table once instead of looking rows up per user is what makes a million
// users take seconds. Memory holds the organizations and a Bloom filter of
// external ids, not the users.
package emit
