package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// lockedBuffer is an io.Writer the test can read while run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var listenLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startEmulatorCmd runs `mig emulator` in-process and returns its URL and a
// stop function that cancels it and returns its exit code.
func startEmulatorCmd(t *testing.T, args ...string) (string, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"emulator", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(stderr.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(10 * time.Second):
					t.Fatalf("mig emulator did not stop after cancel")
					return -1
				}
			}
			t.Cleanup(func() { cancel() })
			return m[1], stderr, stop
		}
		select {
		case code := <-done:
			t.Fatalf("mig emulator exited %d early: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no listening line on stderr: %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEmulatorCommand(t *testing.T) {
	state := filepath.Join(t.TempDir(), "emu.db")
	url, stderr, stop := startEmulatorCmd(t, "--state", state, "--log-level", "debug", "--rate-limits", "off")
	um := usermanagement.NewClient("sk_test_cmd")
	um.Endpoint = url
	u, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "cmd@example.com"})
	if err != nil {
		t.Fatalf("create user through mig emulator: %v", err)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit code after Ctrl-C = %d, want 0; stderr %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "path=/user_management/users status=201") {
		t.Fatalf("no debug request log on stderr: %s", stderr.String())
	}

	// The state file brings the user back after a restart.
	url, _, stop = startEmulatorCmd(t, "--state", state)
	um.Endpoint = url
	got, err := um.GetUser(context.Background(), usermanagement.GetUserOpts{User: u.ID})
	if err != nil || got.Email != "cmd@example.com" {
		t.Fatalf("user after restart = %+v, %v", got, err)
	}
	if status, body := getState(t, url+"/_emulator/state?counts=1", "sk_test_cmd"); status != http.StatusOK || !strings.Contains(body, `"users":1`) {
		t.Fatalf("state counts = %d %s", status, body)
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("--state file: %v, %v; want mode 0600", fi, err)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit code = %d", code)
	}
}

// getState reads the emulator's state endpoint with key ("" sends none).
func getState(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// TestEmulatorStateNeedsKey: with --key, the state endpoint answers only
// that key, as the API does.
func TestEmulatorStateNeedsKey(t *testing.T) {
	url, _, stop := startEmulatorCmd(t, "--key", "sk_test_only", "--rate-limits", "off")
	for _, key := range []string{"", "sk_test_other"} {
		if status, body := getState(t, url+"/_emulator/state", key); status != http.StatusUnauthorized || body != `{"message":"Unauthorized"}` {
			t.Errorf("state with key %q = %d %s; want 401 {\"message\":\"Unauthorized\"}", key, status, body)
		}
	}
	if status, body := getState(t, url+"/_emulator/state?counts=1", "sk_test_only"); status != http.StatusOK || !strings.Contains(body, `"roles":2`) {
		t.Errorf("state with the key = %d %s", status, body)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit code = %d", code)
	}
}

func TestEmulatorCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"fault rate above one", []string{"--fault-rate", "1.5"}, "--fault-rate 1.5"},
		{"unknown rate limit mode", []string{"--rate-limits", "fast"}, "not one of production, off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"emulator", "--addr", "127.0.0.1:0"}, tc.args...), strings.NewReader(""), io.Discard, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), exitUsage, tc.want)
			}
		})
	}
}
