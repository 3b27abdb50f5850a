// Package workosemu is a local emulator of the parts of the WorkOS API that
// mig's importer touches: users, organizations, organization memberships,
// environment and organization roles, permissions and TOTP factors.
//
// It exists so that a migration can be rehearsed at real speed, and the
// importer tested, without the production API: the same paths (matched
// case-insensitively, because the official Go SDK sends /Organizations/),
// the same JSON bodies with explicit nulls, the same error envelopes and
// status codes as the OpenAPI spec in shared/workos, the same rate limits,
// and Idempotency-Key replay where the spec documents it (Options.Idempotency
// extends it to every POST). Faults (5xx answers, latency, dropped
// connections, a 429 storm with any Retry-After, answers held back after
// the write beyond the client's timeout, a key revoked mid-run) can be
// switched on to test the importer's retry paths; with a fixed seed they
// are reproducible for a serial client, and Faults counts them.
//
// A Server is an http.Handler, so tests mount it on httptest.NewServer and
// point the SDK's Endpoint at it; mig emulator serves the same handler on a
// TCP address. State lives in memory, or in a SQLite file when
// Options.StatePath is set, so that a rehearsal survives a restart.
//
// Where the spec is silent the emulator follows what the WorkOS SDKs and
// their issue trackers show of production; those places are named in the
// comments next to the code that decides them.
package workosemu
