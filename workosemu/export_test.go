package workosemu

// SpecIdempotent is the emulator's list of the operations whose
// Idempotency-Key the spec documents, for the test that keeps it so.
func SpecIdempotent() map[string]bool { return specIdempotent }
