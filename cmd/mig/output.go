package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// writeRows streams a result set to w as table, csv, json or ndjson. Only the
// table format holds rows in memory (to size its columns), and only up to
// tableLimit rows; past that it tells the user to pick a streaming format.
// cut is how many table cells were cut to cellMax characters, for the
// caller to say how to read them whole.
func writeRows(w io.Writer, rows *sql.Rows, format string) (n, cut int, err error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	next := func() (bool, error) {
		if !rows.Next() {
			return false, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return false, err
		}
		n++
		return true, nil
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(cols)
		rec := make([]string, len(cols))
		for {
			ok, err := next()
			if err != nil || !ok {
				cw.Flush()
				return n, cut, firstErr(err, cw.Error())
			}
			for i, v := range vals {
				rec[i] = textOf(v, "")
			}
			cw.Write(rec)
		}
	case "json", "ndjson":
		enc := json.NewEncoder(w)
		if format == "json" {
			io.WriteString(w, "[")
		}
		for {
			ok, err := next()
			if err != nil {
				return n, cut, err
			}
			if !ok {
				break
			}
			obj := make(map[string]any, len(cols))
			for i, v := range vals {
				obj[cols[i]] = jsonOf(v)
			}
			if format == "json" && n > 1 {
				io.WriteString(w, ",")
			}
			if format == "json" {
				b, err := json.Marshal(orderedRow{cols, obj})
				if err != nil {
					return n, cut, err
				}
				w.Write(b)
				continue
			}
			if err := enc.Encode(orderedRow{cols, obj}); err != nil {
				return n, cut, err
			}
		}
		if format == "json" {
			io.WriteString(w, "]\n")
		}
		return n, cut, nil
	default:
		const tableLimit = 10000
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		under := make([]string, len(cols))
		for i, c := range cols {
			under[i] = strings.Repeat("-", utf8.RuneCountInString(c))
		}
		fmt.Fprintln(tw, strings.Join(under, "\t"))
		rec := make([]string, len(cols))
		for {
			ok, err := next()
			if err != nil {
				return n, cut, err
			}
			if !ok {
				break
			}
			if n > tableLimit {
				tw.Flush()
				return n, cut, fmt.Errorf("more than %d rows: use --format csv, json or ndjson, which stream, or add a LIMIT", tableLimit)
			}
			for i, v := range vals {
				var was bool
				rec[i], was = cutCell(textOf(v, "NULL"))
				if was {
					cut++
				}
			}
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		}
		return n, cut, tw.Flush()
	}
}

// orderedRow marshals a row with its columns in query order.
type orderedRow struct {
	cols []string
	vals map[string]any
}

func (r orderedRow) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		v, err := json.Marshal(r.vals[c])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func textOf(v any, null string) string {
	switch t := v.(type) {
	case nil:
		return null
	case []byte:
		return string(t)
	default:
		return fmt.Sprint(t)
	}
}

func jsonOf(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// cellMax is the most characters a table cell shows.
const cellMax = 80

// cell keeps a table cell on one line and readable.
func cell(s string) string {
	s, _ = cutCell(s)
	return s
}

// cutCell is cell, and says whether it cut s to cellMax characters.
func cutCell(s string) (_ string, cut bool) {
	s = strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
	if utf8.RuneCountInString(s) > cellMax {
		r := []rune(s)
		return string(r[:cellMax-3]) + "...", true
	}
	return s, false
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// writeRecords writes a short list held in memory, such as what --list
// prints, as csv, json or ndjson, the way writeRows writes a result set: the
// same formats for the same flag. A []string value is a JSON array, and
// comma-separated in CSV.
func writeRecords(w io.Writer, format string, cols []string, recs [][]any) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(cols)
		rec := make([]string, len(cols))
		for _, r := range recs {
			for i, v := range r {
				if l, ok := v.([]string); ok {
					rec[i] = strings.Join(l, ",")
				} else {
					rec[i] = textOf(v, "")
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json", "ndjson":
		rows := make([]orderedRow, len(recs))
		for i, r := range recs {
			vals := make(map[string]any, len(cols))
			for j, v := range r {
				vals[cols[j]] = v
			}
			rows[i] = orderedRow{cols, vals}
		}
		enc := json.NewEncoder(w)
		if format == "json" {
			return enc.Encode(rows)
		}
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("format %q has no list output", format)
}
