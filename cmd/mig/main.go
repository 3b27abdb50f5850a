// Command mig moves users, organizations, memberships, roles and TOTP
// factors out of an identity provider and into WorkOS through a SQLite
// staging database. Every command lives in its own file and registers itself
// with register; main only parses flags, wires the context and maps errors
// to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
)

// version, when set at build time with -ldflags "-X main.version=...",
// is what --version prints; otherwise it is read from the build (see
// versionString).
var version string

// defaultDB is the staging database's path when neither --db nor MIG_DB
// names one.
const defaultDB = "mig.db"

// env is what every command receives: global flags and the process streams.
// Commands write data to Stdout and everything meant for people to Stderr.
type env struct {
	DB       string
	LogLevel string
	Log      *slog.Logger
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	// Getenv reads the environment; tests may replace it.
	Getenv func(string) string
}

// runFunc is the body of one command, run after flags are parsed.
type runFunc func(ctx context.Context, e *env) error

// configurer declares one command on the application and returns its body.
type configurer func(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc)

var configurers []configurer

// register adds a command; each command file calls it from init.
func register(c configurer) { configurers = append(configurers, c) }

func main() {
	ctx, stop := notifyInterrupt(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// interrupted is why main cancels the context: a SIGINT (Ctrl-C) or a
// SIGTERM. Every command stops at its next safe point and leaves the
// staging database consistent; the process then exits as shells report a
// process stopped by that signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.sig.String() }

// ExitCode is 128 plus the signal's number: 130 for Ctrl-C, 143 for
// SIGTERM.
func (i interrupted) ExitCode() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitInterrupted
}

// notifyInterrupt returns a context cancelled, with an interrupted cause,
// at the first SIGINT or SIGTERM, and the function that stops listening.
func notifyInterrupt(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(interrupted{s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// run parses args, runs the chosen command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// "@file" arguments would otherwise be replaced by the file's contents,
	// which would surprise anyone whose SQL or path starts with "@".
	kingpin.EnableFileExpansion = false
	e := &env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	app := kingpin.New("mig", "Move users, organizations, roles and MFA factors from an identity provider into WorkOS through a SQLite staging database.")
	app.Version(versionString(version))
	app.HelpFlag.Short('h')
	app.Flag("db", "Path of the staging database.").Envar("MIG_DB").Default(defaultDB).StringVar(&e.DB)
	oneOf(app.Flag("log-level", "Log level on stderr.").Default("info"), &e.LogLevel, "debug", "info", "warn", "error")

	runners := map[string]runFunc{}
	for _, c := range configurers {
		cmd, fn := c(app, e)
		runners[cmd.FullCommand()] = fn
	}

	chosen, usageCode, done := parseArgs(app, args, stdout, stderr)
	if done {
		return usageCode
	}
	e.Log = newLogger(stderr, e.LogLevel)
	fn, ok := runners[chosen]
	if !ok {
		fmt.Fprintf(stderr, "mig: no command given\nTry: mig --help\n")
		return exitUsage
	}
	// MIG_CPUPROFILE=FILE writes a CPU profile of the command, for the
	// benchmarks under bench/.
	if p := os.Getenv("MIG_CPUPROFILE"); p != "" {
		if f, perr := os.Create(p); perr == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	err := fn(ctx, e)
	if err == nil {
		return exitOK
	}
	err = explainBusy(e.DB, err)
	code := exitCode(err)
	msg := err.Error()
	var intr interrupted
	if errors.As(context.Cause(ctx), &intr) {
		// Whatever error the interruption surfaced as (a cancelled
		// context, an interrupted SQLite statement), the command stopped
		// because it was asked to.
		code = intr.ExitCode()
		if !errors.Is(err, context.Canceled) {
			msg = "interrupted (" + msg + ")"
		} else {
			msg = "interrupted"
		}
		msg += "; the staging database is consistent and the command can be run again"
	} else if errors.Is(err, context.Canceled) {
		msg = "interrupted; the staging database is consistent and the command can be run again"
	}
	fmt.Fprintf(stderr, "mig %s: %s\n", chosen, msg)
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(stderr, "Try: %s\n", h.Hint())
	}
	return code
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
