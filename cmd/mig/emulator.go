package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/workosemu"
)

func init() { register(configureEmulatorCmd) }

// emulatorFlags are the settings of mig emulator.
type emulatorFlags struct {
	addr       string
	state      string
	rateLimits string
	faultRate  float64
	faultAfter float64
	dropRate   float64
	latency    time.Duration
	jitter     time.Duration
	stormAfter time.Duration
	stormFor   time.Duration
	stormRA    string
	slowRate   float64
	slowFor    time.Duration
	revokeAt   int
	seed       int64
	multiRoles bool
	keys       []string
	idem       string
}

func configureEmulatorCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var f emulatorFlags
	cmd := app.Command("emulator", "Serve a local WorkOS API emulator to rehearse an import: same paths, bodies, errors and rate limits as production.")
	cmd.Flag("addr", "Address to listen on.").Default("127.0.0.1:4100").StringVar(&f.addr)
	cmd.Flag("state", "SQLite file that keeps the emulator's state across restarts; in memory when unset.").StringVar(&f.state)
	oneOf(cmd.Flag("rate-limits", "production enforces WorkOS's rate limits; off admits everything.").Default("production"), &f.rateLimits, workosemu.RateLimitsProduction, workosemu.RateLimitsOff)
	cmd.Flag("fault-rate", "Fraction of requests answered 500, 502 or 503 before they touch state.").Default("0").Float64Var(&f.faultRate)
	cmd.Flag("fault-after-rate", "Fraction of requests applied and then answered 500, 502 or 504, as a gateway that gave up on a backend that committed.").Default("0").Float64Var(&f.faultAfter)
	cmd.Flag("drop-rate", "Fraction of requests whose connection is closed after they were applied.").Default("0").Float64Var(&f.dropRate)
	cmd.Flag("latency", "Delay added to every request.").Default("0s").DurationVar(&f.latency)
	cmd.Flag("jitter", "Random extra delay, up to this much, on top of --latency.").Default("0s").DurationVar(&f.jitter)
	cmd.Flag("storm-after", "Start a 429 storm this long after startup (with --storm-for).").Default("0s").DurationVar(&f.stormAfter)
	cmd.Flag("storm-for", "Answer every request 429 for this long, starting at --storm-after.").Default("0s").DurationVar(&f.stormFor)
	cmd.Flag("storm-retry-after", "Retry-After of the storm's 429s, in seconds (0 says retry now and still refuses); default: the seconds left in the storm.").PlaceHolder("SECONDS").StringVar(&f.stormRA)
	cmd.Flag("slow-rate", "Fraction of requests applied and then answered only after --slow-for, beyond the client's timeout.").Default("0").Float64Var(&f.slowRate)
	cmd.Flag("slow-for", "How long a --slow-rate answer is held back after its write.").Default("35s").DurationVar(&f.slowFor)
	cmd.Flag("revoke-key-after", "Answer 401 to the keys of the first N API requests from then on, as when a key is rolled mid-run; a new key works.").PlaceHolder("N").IntVar(&f.revokeAt)
	cmd.Flag("seed", "Seed for faults and IDs, to reproduce a run; 0 picks one.").Default("0").Int64Var(&f.seed)
	cmd.Flag("multiple-roles", "Let a membership carry several role_slugs, like an environment with Multiple Roles enabled.").BoolVar(&f.multiRoles)
	cmd.Flag("key", "Accept only this API key (repeatable), on the API and on /_emulator/state; by default any sk_ key is accepted.").StringsVar(&f.keys)
	cmd.Flag("idempotency", "spec replays Idempotency-Key only where WorkOS documents it (audit-log events), as production does; all replays it on every POST.").Default(workosemu.IdempotencySpec).EnumVar(&f.idem, workosemu.IdempotencySpec, workosemu.IdempotencyAll)
	return cmd, func(ctx context.Context, e *env) error { return runEmulator(ctx, e, f) }
}

// runEmulator serves the emulator until ctx is cancelled.
func runEmulator(ctx context.Context, e *env, f emulatorFlags) error {
	for name, v := range map[string]float64{"--fault-rate": f.faultRate, "--fault-after-rate": f.faultAfter, "--drop-rate": f.dropRate, "--slow-rate": f.slowRate} {
		if v < 0 || v > 1 {
			return usageError{msg: fmt.Sprintf("%s %v: want a fraction between 0 and 1", name, v)}
		}
	}
	emu, err := workosemu.New(workosemu.Options{
		RateLimits: f.rateLimits, FaultRate: f.faultRate, FaultAfterRate: f.faultAfter, DropRate: f.dropRate,
		Latency: f.latency, Jitter: f.jitter, StormAfter: f.stormAfter, StormFor: f.stormFor, StormRetryAfter: f.stormRA,
		SlowRate: f.slowRate, SlowFor: f.slowFor, RevokeKeysAfter: f.revokeAt,
		Seed: f.seed, StatePath: f.state, AllowMultipleRoles: f.multiRoles, Keys: f.keys,
		Idempotency: f.idem, Logger: e.Log,
	})
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	defer emu.Close()
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		return withHint(fmt.Errorf("emulator: listen on %s: %w", f.addr, err), "mig emulator --addr 127.0.0.1:PORT with a free port")
	}
	state := "in memory"
	if f.state != "" {
		state = f.state
	}
	fmt.Fprintf(e.Stderr, "mig emulator: listening on http://%s (state %s, rate limits %s); stop with Ctrl-C\n", l.Addr(), state, f.rateLimits)
	if err := emu.Serve(ctx, l); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}
