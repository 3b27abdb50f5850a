package auth0fake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Field is one entry of a users-exports job's "fields": a user profile
// path ("email", "app_metadata", "identities[0].connection") and the name
// it is written under.
type Field struct {
	Name     string `json:"name"`
	ExportAs string `json:"export_as,omitempty"`
}

// ExportRequest is the body of POST /api/v2/jobs/users-exports.
type ExportRequest struct {
	ConnectionID string  `json:"connection_id,omitempty"`
	Format       string  `json:"format,omitempty"`
	Limit        int     `json:"limit,omitempty"`
	Fields       []Field `json:"fields,omitempty"`
}

// defaultFields are what Auth0 exports when a job names no fields.
var defaultFields = []Field{{Name: "user_id"}, {Name: "email"}, {Name: "email_verified"}, {Name: "name"},
	{Name: "nickname"}, {Name: "created_at"}, {Name: "updated_at"}, {Name: "identities[0].connection", ExportAs: "provider"}}

// genKeys are the keys a generated user has: a job that exports all of
// them gets each generated line as it is, without decoding it.
var genKeys = []string{"user_id", "email", "email_verified", "phone_number", "phone_verified", "name", "given_name",
	"family_name", "nickname", "username", "identities", "app_metadata", "user_metadata", "blocked", "created_at",
	"updated_at", "last_login", "logins_count"}

// WriteFullExport writes the export of a job that asks for every field of
// the tenant's users (as mig's bulk-job engine does): the file a benchmark
// serves through Server.ExportFile.
func WriteFullExport(w io.Writer, t *Tenant) error {
	fields := make([]Field, len(genKeys))
	for i, k := range genKeys {
		fields[i] = Field{Name: k}
	}
	return WriteExport(w, t, ExportRequest{Format: "json", Fields: fields})
}

// WriteExport writes what a users-exports job in JSON format produces: one
// user per line (NDJSON), gzip-compressed, with the requested fields. It
// streams: a million users never sit in memory.
func WriteExport(w io.Writer, t *Tenant, req ExportRequest) error {
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriterSize(zw, 256<<10)
	fields := req.Fields
	if len(fields) == 0 {
		fields = defaultFields
	}
	connName := ""
	if req.ConnectionID != "" {
		for _, c := range t.Connections {
			var cc struct{ ID, Name string }
			if json.Unmarshal(c, &cc) == nil && cc.ID == req.ConnectionID {
				connName = cc.Name
			}
		}
		if connName == "" {
			return fmt.Errorf("connection %s not found", req.ConnectionID)
		}
	}
	_, verbatim := t.Users.(*genUsers)
	if verbatim {
		names := map[string]bool{}
		for _, f := range fields {
			if f.ExportAs == "" || f.ExportAs == f.Name {
				names[f.Name] = true
			}
		}
		for _, k := range genKeys {
			verbatim = verbatim && names[k]
		}
	}
	var line []byte
	n := 0
	for i := range t.Users.Len() {
		if req.Limit > 0 && n >= req.Limit {
			break
		}
		if g, ok := t.Users.(*genUsers); ok && verbatim {
			if connName != "" && genConnection(i) != connName {
				continue
			}
			line = genUser(line[:0], i, g.seed, g.orgs)
		} else {
			u := t.Users.At(i)
			if connName != "" && firstConnection(u) != connName {
				continue
			}
			var err error
			if line, err = project(line[:0], u, fields); err != nil {
				return err
			}
		}
		n++
		bw.Write(line)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// firstConnection is identities[0].connection, the connection a user
// belongs to.
func firstConnection(u []byte) string {
	var v struct {
		Identities []struct {
			Connection string `json:"connection"`
		} `json:"identities"`
	}
	if json.Unmarshal(u, &v) != nil || len(v.Identities) == 0 {
		return ""
	}
	return v.Identities[0].Connection
}

// project writes the requested fields of user u, in the order requested.
func project(dst, u []byte, fields []Field) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(u))
	dec.UseNumber()
	var obj any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	dst = append(dst, '{')
	first := true
	for _, f := range fields {
		v, ok := lookup(obj, f.Name)
		if !ok {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		key := f.ExportAs
		if key == "" {
			key = f.Name
		}
		dst = strconv.AppendQuote(dst, key)
		dst = append(dst, ':')
		dst = append(dst, b...)
	}
	return append(dst, '}'), nil
}

// lookup follows a path such as "app_metadata.plan" or
// "identities[0].connection".
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		idx := -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			n, err := strconv.Atoi(part[i+1 : len(part)-1])
			if err != nil {
				return nil, false
			}
			part, idx = part[:i], n
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
		if idx >= 0 {
			a, ok := v.([]any)
			if !ok || idx >= len(a) {
				return nil, false
			}
			v = a[idx]
		}
	}
	return v, true
}
