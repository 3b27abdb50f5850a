//go:build unix

package cognito_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/mig-tools/mig/ingest/cognito"
	"github.com/mig-tools/mig/ingest/cognito/cognitofake"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// cognitoLocal is the open-source Cognito emulator the tests run, pinned.
const cognitoLocal = "cognito-local@5.3.0"

// lockedBuffer collects a process's output from its two pipes.
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

// startCognitoLocal runs cognito-local on a free loopback port with its data
// in a temporary directory, and returns its URL. The test is skipped, with
// the reason, when npx is absent or the emulator does not start. The
// emulator is stopped with the test; "timeout" also stops it if the test
// binary dies first.
func startCognitoLocal(t *testing.T) string {
	t.Helper()
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Skip("npx is not installed, so cognito-local (" + cognitoLocal + ") cannot run: install Node.js to run this test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{npx, "-y", cognitoLocal}
	if to, err := exec.LookPath("timeout"); err == nil {
		args = append([]string{to, "-k", "5", "600"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	// cognito-local keeps its data in .cognito/ under its working directory.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("cognito-local did not start (%v): skipping the emulator test", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// npx may first have to fetch the package from the npm registry.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			t.Skipf("cognito-local exited before it listened (npm registry unreachable?), skipping the emulator test; its output:\n%s", out.String())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Skipf("cognito-local did not listen on %s within 3 minutes, skipping the emulator test; its output:\n%s", addr, out.String())
		}
	}
}

// TestCognitoLocal fetches a pool of 75 users from cognito-local through the
// SDK and the standard credential chain: more users than one ListUsers page
// of real Cognito holds. cognito-local 5.3.0 ignores Limit and
// PaginationToken (it answers every user in one response), so paging itself
// is proven against the fake (TestFetchFollowsTokens, TestFetchResume);
// here the fetch must take a page larger than the limit as it comes.
// cognito-local lacks the identity-provider calls, so the fake answers
// those and hands every other call on to the emulator.
func TestCognitoLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cognito-local with npx")
	}
	awsTestEnv(t)
	emu := startCognitoLocal(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	client := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(emu) })
	pool, err := client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("Local Acme"),
		Schema: []types.SchemaAttributeType{{Name: aws.String("department"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}})
	if err != nil {
		t.Fatalf("CreateUserPool on cognito-local: %v", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	const n = 75
	for i := range n {
		attrs := []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(fmt.Sprintf("user%02d@example.com", i))},
			{Name: aws.String("email_verified"), Value: aws.String(fmt.Sprint(i%2 == 0))},
			{Name: aws.String("name"), Value: aws.String(fmt.Sprintf("Ada Lovelace %d", i))},
			{Name: aws.String("custom:department"), Value: aws.String("R&D")},
		}
		if _, err := client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(fmt.Sprintf("user%02d@example.com", i)),
			UserAttributes: attrs, MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatalf("AdminCreateUser %d: %v", i, err)
		}
	}
	if _, err := client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("user03@example.com")}); err != nil {
		t.Fatalf("AdminDisableUser: %v", err)
	}

	// The identity-provider calls go to the fake, the rest to cognito-local.
	target, _ := url.Parse(emu)
	var p map[string]any
	fixture(t, "connections_saml-metadata-file", &p)
	fake := &cognitofake.Fake{Next: httputil.NewSingleHostReverseProxy(target), Pools: map[string]*cognitofake.Pool{poolID: {Providers: []map[string]any{p}}}}
	front := httptest.NewServer(fake)
	defer front.Close()

	var rec ingesttest.Recorder
	var cps []cognito.Checkpoint
	o := cognito.Options{UserPoolIDs: []string{poolID}, EndpointURL: front.URL, Entities: []string{"users", "organizations", "memberships", "sso"}}
	if err := cognito.Fetch(ctx, o, &rec, nil, func(_ context.Context, cp cognito.Checkpoint) error { cps = append(cps, cp); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rec.Users) != n-1 || len(rec.Skips) != 1 || !strings.Contains(rec.Skips[0].Reason, "disabled") {
		t.Fatalf("%d users staged, skips %+v; want %d staged and the disabled one skipped", len(rec.Users), rec.Skips, n-1)
	}
	for _, u := range rec.Users {
		if u.SourceID == "" || u.ExternalID != u.SourceID || u.FirstName != "Ada" || !strings.HasPrefix(u.LastName, "Lovelace ") || u.Metadata["department"] != "R&D" {
			t.Errorf("user %+v", u)
		}
	}
	if last := cps[len(cps)-1]; !last.PoolDone || last.Users != n {
		t.Errorf("last checkpoint %+v, want the pool done after %d users", last, n)
	}
	if len(rec.Orgs) != 1 || rec.Orgs[0].Name != "Local Acme" || len(rec.OrgRows) != n-1 {
		t.Errorf("organizations %+v, %d memberships", rec.Orgs, len(rec.OrgRows))
	}
	if len(rec.Connections) != 1 || rec.Connections[0].Config["idpEntityId"] != "http://www.okta.com/exkabcde1234" {
		t.Errorf("connections %+v", rec.Connections)
	}
}
