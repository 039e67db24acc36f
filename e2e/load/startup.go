package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// StartupConfig is a start-up measurement: setbot started Runs times on one
// store seeded with Seed.
type StartupConfig struct {
	URL    string // the Mattermost server
	Setbot string // a setbot binary; "" builds one from this module
	Seed   Seed
	Runs   int
	// Settle is how long to wait after /readyz answers before reading the
	// memory again: start-up's garbage collected and the first timer
	// passes over.
	Settle time.Duration
	// Env is added to setbot's environment (GOGC=…, GOMEMLIMIT=…).
	Env []string
	// Profiles, when set, builds a profiled setbot (Setbot is ignored) and
	// saves each run's heap profile after Settle there.
	Profiles string
	Out      io.Writer
}

// StartupRun is one start.
type StartupRun struct {
	Healthy, Ready time.Duration // from the process starting to /healthz, /readyz answering 200
	AtReady, After sample        // /metrics at readiness, and Settle later
	// Anon and File are the resident KiB after Settle: anonymous (heap,
	// stacks, runtime) and file-backed (the binary, the store's map).
	Anon, File int64
}

// Startup seeds a store, then starts setbot on it c.Runs times (the first
// start opens the seeded file, as setbot's first start after an upgrade or
// a move would; the rest are restarts), and prints how long each took to
// be healthy and ready and its memory then and after c.Settle.
func Startup(ctx context.Context, c StartupConfig) ([]StartupRun, error) {
	if c.Runs < 1 {
		return nil, fmt.Errorf("-runs must be at least 1, got %d", c.Runs)
	}
	b, err := newBench(ctx, c.URL, c.Setbot, c.Profiles)
	if err != nil {
		return nil, err
	}
	defer b.close()
	w, dir, bin, env, prof := b.w, b.dir, b.bin, b.env, b.prof
	path := filepath.Join(dir, "setbot.db")
	began := time.Now()
	if err := SeedStore(path, c.Seed, began); err != nil {
		return nil, err
	}
	seeded := time.Since(began)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.Out, "store: %d incidents (%d resolved), %d conversations under way; %.1f MiB, seeded in %.1f s\n",
		c.Seed.Incidents, c.Seed.Resolved, c.Seed.Conversations, float64(fi.Size())/(1<<20), seeded.Seconds())
	if len(c.Env) > 0 {
		fmt.Fprintf(c.Out, "setbot's environment adds %v\n", c.Env)
	}
	fmt.Fprintf(c.Out, "%-4s %9s %9s   %-34s   %-34s   %s\n", "run", "healthy", "ready",
		"at ready: RSS / heap / Go sys", fmt.Sprintf("%s later: RSS / heap / Go sys", c.Settle), "anon + file")
	var runs []StartupRun
	for i := range c.Runs {
		proc, err := start(ctx, bin, dir, w, append(env, c.Env...)...)
		if err != nil {
			return runs, err
		}
		r := StartupRun{Healthy: proc.healthy, Ready: proc.ready}
		r.AtReady, err = proc.scrape(ctx)
		if err == nil {
			select {
			case <-ctx.Done():
				err = ctx.Err()
			case <-time.After(c.Settle):
				r.After, err = proc.scrape(ctx)
			}
		}
		if err == nil {
			r.Anon, r.File, err = residentKiB(proc.cmd.Process.Pid)
		}
		if err == nil && c.Profiles != "" {
			err = prof.save(ctx, fmt.Sprintf("heap-%d.pb.gz", i+1), "heap")
		}
		proc.stop()
		if err != nil {
			return runs, err
		}
		runs = append(runs, r)
		mem := func(s sample) string { return fmt.Sprintf("%s / %s / %s", mib(s.RSS), mib(s.Heap), mib(s.GoSys)) }
		fmt.Fprintf(c.Out, "%-4d %9s %9s   %-34s   %-34s   %s + %s\n", i+1, ms(r.Healthy), ms(r.Ready), mem(r.AtReady), mem(r.After),
			mib(float64(r.Anon<<10)), mib(float64(r.File<<10)))
	}
	return runs, nil
}
