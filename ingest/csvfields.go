package ingest

// ReadFields returns the next record as the file has it, neither checked
// against the header nor padded, and the line it starts on; io.EOF at the
// end. It is for a layout whose rows may rightly have more or fewer fields
// than the names UseHeader gave (Firebase's CSV export has an older,
// shorter layout, and ends each line with a comma): the source checks the
// count itself. Errors in a field still name its column. The slice is
// reused by the next call.
func (c *CSVReader) ReadFields() ([]string, int, error) {
	rec, err := c.read()
	if err != nil {
		return nil, 0, err
	}
	return rec, c.line, nil
}
