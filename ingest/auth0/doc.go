// Package auth0 reads an Auth0 tenant through the Management API v2 (with
// github.com/auth0/go-auth0) and the password export Auth0 support sends,
// and turns what it reads into the source kit's records. It knows Auth0 and
// nothing of the database: everything goes to an ingest.DefinitionSink.
//
// # Ingest
//
//	counts, err := auth0.Ingest(ctx, db, auth0.Options{Domain: "my-tenant.us.auth0.com", ClientID: id, ClientSecret: secret})
//
// stages a tenant in one transaction through the source kit (`mig ingest
// auth0`): Fetch hands its records to the kit's spool, and the staging
// database is the checkpoint. IngestPasswords merges the password export
// into the staged users (`mig ingest auth0-passwords`, the kit's
// supplement).
//
// # Fetch
//
//	err := auth0.Fetch(ctx, o, sink, lastCheckpoint, func(cp auth0.Checkpoint) error { return store(cp) })
//
// authenticates with the client-credentials grant and reads, in this order:
//   - SSO: enterprise connections (samlp, adfs, pingfederate as SAML; oidc,
//     waad, okta, google-apps as OIDC) become SSOConnection rows with the
//     handoff columns (idpEntityId, idpUrl, x509Cert, idpMetadataUrl,
//     clientId, discoveryEndpoint, ...); secrets go only to Secrets. A
//     connection without what WorkOS needs is a warning naming what is
//     missing.
//   - Roles: the catalog becomes environment role definitions, with their
//     permissions, under slugs derived from the names (lower-case, "-");
//     colliding slugs are made unique by role id, with a warning.
//   - Users: through the users list (Engine management-api, at most 1,000
//     users, ErrUsersListLimit beyond) or a users-exports job (bulk-job:
//     the fetch creates the job, and ReadExport, given the fetch's last
//     checkpoint, polls it with back-off and streams its gzip NDJSON file
//     through the kit's NDJSONReader, never held whole). user_id is the
//     source id and the external id; names come from
//     given_name/family_name, else "name" split; identities, app_metadata
//     and user_metadata go to metadata within WorkOS's limits
//     (ingest.FitMetadata), and what does not fit is a warning naming the
//     key. Blocked users, federated users (only social or enterprise
//     identities) and users without email are skipped with their reason
//     unless asked for.
//   - Organizations: each with its members (checkpoint pagination) as
//     mapping rows, and each member's roles as role mapping rows in that
//     organization. With UseMetadata, memberships come from app_metadata
//     fields instead.
//
// Requests are paced under Options.RateLimit, and a 429 answer is waited
// out until its X-RateLimit-Reset.
//
// # Resuming
//
// After each page whose records it handed to the sink, Fetch reports a
// Checkpoint. The caller stores it with those records, in one transaction
// (Ingest: the kit's Spool.Checkpoint); given back to Fetch, it resumes
// after the last stored page without requesting earlier pages again. The
// once-per-run warnings given so far are in the checkpoint too (Warned):
// the spool a resumed fetch writes to has no memory of them, so the mapper
// keeps them, and a resumed fetch does not repeat them.
//
// The users of a bulk-job fetch are not spooled: a million of them would
// cost the ingest a second write of every user. The checkpoint keeps the
// job's id, so a resumed ingest does not create another job; ReadExport
// streams the file into the ingest's one transaction, so an interrupted
// read left nothing staged and is read again from the file's start (a job
// Auth0 dropped meanwhile is created again).
//
// # Password export
//
// ReadPasswords streams the NDJSON password export line by line through
// the kit's NDJSONReader, giving each record's Auth0 user_id ("auth0|" +
// $oid), email and hash with its type, detected strictly by
// passhash.Detect: only a well-formed $2a$/$2b$/$2y$ hash is bcrypt, and a
// hash of no format WorkOS takes is passed on as unsupported, never
// labelled bcrypt.
package auth0
