package ingest

import "strings"

// UseHeader names the columns of a CSV file that has no header row (the
// layout of Firebase's CSV export), instead of Header: every row is data,
// the first one included, and rows are checked against these names as
// against a header's. Names are lower-cased like a header's.
func (c *CSVReader) UseHeader(columns ...string) {
	c.header = make([]string, len(columns))
	c.index = make(map[string]int, len(columns))
	for i, h := range columns {
		h = strings.ToLower(strings.TrimSpace(h))
		c.header[i] = h
		c.index[h] = i
	}
}
