package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

func TestProgressAndNoSecrets(t *testing.T) {
	for _, tty := range []bool{false, true} {
		ctx := context.Background()
		_, url := emulator(t, workosemu.Options{})
		s, _ := bigStage(t, 20)
		var out bytes.Buffer
		o := opts(url)
		o.Progress, o.ProgressTTY = &out, tty
		sum, err := importer.Run(ctx, s.db, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"users", "memberships", "totp"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("tty=%v: progress lacks %s:\n%q", tty, want, out.String())
			}
		}
		if !tty && !strings.Contains(out.String(), "import users: 20/20, 0 failed") {
			t.Errorf("progress lines:\n%s", out.String())
		}
		// The key is used, never kept.
		var runs string
		s.db.Get(&runs, `SELECT group_concat(options || summary) FROM import_runs`)
		b, _ := json.Marshal(sum)
		for what, text := range map[string]string{"import_runs": runs, "summary": string(b), "progress": out.String()} {
			if strings.Contains(text, testKey) {
				t.Errorf("the API key is in %s", what)
			}
		}
		if !strings.Contains(runs, `"concurrency":4`) {
			t.Errorf("import_runs.options %s", runs)
		}
	}
}
