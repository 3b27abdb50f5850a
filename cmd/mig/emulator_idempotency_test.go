package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestEmulatorIdempotencyFlag: by default mig emulator replays an
// Idempotency-Key only where WorkOS documents it, so a user created twice
// with one key is refused the second time; --idempotency all replays it.
func TestEmulatorIdempotencyFlag(t *testing.T) {
	post := func(url string) (int, string) {
		req, _ := http.NewRequest("POST", url+"/user_management/users", strings.NewReader(`{"email":"idem@example.com"}`))
		req.Header.Set("Authorization", "Bearer sk_test_cmd")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "same")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, tc := range []struct {
		args   []string
		second int
	}{
		{nil, http.StatusBadRequest},
		{[]string{"--idempotency", "all"}, http.StatusCreated},
	} {
		url, stderr, stop := startEmulatorCmd(t, append([]string{"--rate-limits", "off"}, tc.args...)...)
		if code, body := post(url); code != http.StatusCreated {
			t.Fatalf("%v: first create %d %s", tc.args, code, body)
		}
		if code, body := post(url); code != tc.second {
			t.Fatalf("%v: second create with the same key %d %s, want %d", tc.args, code, body, tc.second)
		}
		if code := stop(); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"emulator", "--addr", "127.0.0.1:0", "--idempotency", "some"}, strings.NewReader(""), io.Discard, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "spec,all") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
