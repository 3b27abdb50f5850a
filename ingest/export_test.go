package ingest

// SetMappingRedoMax sets how many users whose mapping lines changed a
// re-ingest collects before it stages every line instead, for a test; the
// returned function sets it back.
func SetMappingRedoMax(n int) (restore func()) {
	old := mappingRedoMax
	mappingRedoMax = n
	return func() { mappingRedoMax = old }
}
