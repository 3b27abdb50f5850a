package migpackage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// eachJSONL calls fn with every non-blank line of a JSONL file decoded as an
// object, and returns how many there were.
func eachJSONL(ctx context.Context, path string, fn func(obj map[string]any, raw []byte, line int) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n, line := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return n, &ingest.LineError{File: path, Line: line, Msg: "not a JSON object"}
		}
		n++
		if err := fn(obj, b, line); err != nil {
			return n, err
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	return n, nil
}

func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

// loadWarnings keeps the warnings a package recorded, with their original
// timestamps; keys other than the contract's go to the warning's context.
func loadWarnings(ctx context.Context, run *ingest.Run, path string) (int, error) {
	ins, err := run.Tx().PrepareContext(ctx, insertWarningSQL)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	reserved := map[string]bool{"timestamp": true, "code": true, "message": true, "entity": true, "source_id": true, "file": true, "row": true}
	return eachJSONL(ctx, path, func(obj map[string]any, _ []byte, line int) error {
		code, msg := str(obj["code"]), str(obj["message"])
		if code == "" {
			code = "package_warning"
		}
		rest := map[string]any{}
		for k, v := range obj {
			if !reserved[k] {
				rest[k] = v
			}
		}
		c, _ := json.Marshal(rest)
		ts := str(obj["timestamp"])
		if ts == "" {
			ts = staging.Now()
		}
		var row any
		if r := str(obj["row"]); r != "" {
			row = r
		}
		_, err := ins.ExecContext(rowCtx(ctx), run.ID, run.Src.Provider, run.Src.Tenant, code, msg, null(str(obj["entity"])),
			null(str(obj["source_id"])), null(str(obj["file"])), row, string(c), ts)
		return err
	})
}

// loadSkipped keeps the skipped users a package recorded. The source's id
// is under "<provider>_user_id" (or any "*_user_id", or "source_id").
func loadSkipped(ctx context.Context, run *ingest.Run, path string) (int, error) {
	ins, err := run.Tx().PrepareContext(ctx, insertSkippedSQL)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	n, err := eachJSONL(ctx, path, func(obj map[string]any, raw []byte, line int) error {
		id := str(obj[run.Src.Provider+"_user_id"])
		if id == "" {
			id = str(obj["source_id"])
		}
		if id == "" {
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if strings.HasSuffix(k, "_user_id") || k == "user_id" || k == "id" {
					id = str(obj[k])
					break
				}
			}
		}
		reason := str(obj["reason"])
		if reason == "" {
			reason = "skipped by the package's exporter"
		}
		ts := str(obj["timestamp"])
		if ts == "" {
			ts = staging.Now()
		}
		row := 0
		fmt.Sscan(str(obj["row"]), &row)
		file := str(obj["file"])
		_, err := ins.ExecContext(rowCtx(ctx), run.ID, run.Src.Provider, run.Src.Tenant, null(id), file, row,
			null(ingest.NormalizeEmail(str(obj["email"]))), reason, string(raw), ts)
		return err
	})
	run.Counts.Skipped += n
	return n, err
}

// The statements of this file, kept as named files in sqlqueries.
var (
	insertWarningSQL = sqlqueries.MustLoad("ingest/insert_warning.sql").SQL
	insertSkippedSQL = sqlqueries.MustLoad("ingest/insert_skipped_user.sql").SQL
)
