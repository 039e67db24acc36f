package load

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// MaxOpen is the most real conversations Open holds open at once: one
// account each, and Team Edition refuses more than about 250 users.
const MaxOpen = 200

// openSteps is how far into the standard intake each person goes: the
// summary is answered and the next question asked, so that the
// conversation is under way, with state of a realistic size.
const openSteps = 3

// OpenConfig is a measurement of setbot's memory per open conversation.
type OpenConfig struct {
	URL    string // the Mattermost server
	Setbot string // a setbot binary; "" builds one from this module
	N      int    // people, each with one intake left under way
	// Settle is how long to wait before each memory reading: start-up's,
	// or the intakes', garbage collected.
	Settle time.Duration
	Env    []string // added to setbot's environment
	Out    io.Writer
}

// openNames are the accounts Open uses: the load's own (Run's, as far as
// MaxN), then the fault suite's, so that it makes as few new users as it
// can.
func openNames(n int) []string {
	var names []string
	for i := 1; i <= MaxN; i++ {
		names = append(names, fmt.Sprintf("load%02d", i), fmt.Sprintf("echo%02da", i), fmt.Sprintf("echo%02db", i))
	}
	for i := 1; len(names) < n; i++ {
		names = append(names, fmt.Sprintf("fault%02d", i))
	}
	return names[:n]
}

// Open starts setbot on a fresh store, reads its memory idle, has c.N real
// people each open an intake by DM and leave it under way, reads the
// memory again, and prints the growth per open conversation.
func Open(ctx context.Context, c OpenConfig) error {
	if c.N < 1 || c.N > MaxOpen {
		return fmt.Errorf("-open must be between 1 and %d (Team Edition's user limit), got %d", MaxOpen, c.N)
	}
	b, err := newBench(ctx, c.URL, c.Setbot, "")
	if err != nil {
		return err
	}
	defer b.close()
	w, dir, bin := b.w, b.dir, b.bin
	progress("logging in %d people", c.N)
	people, err := login(ctx, w, openNames(c.N))
	defer func() {
		for _, p := range people {
			if p != nil {
				p.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	progress("starting setbot")
	proc, err := start(ctx, bin, dir, w, c.Env...)
	if err != nil {
		return err
	}
	defer proc.stop()
	read := func() (sample, int64, int64, error) {
		select {
		case <-ctx.Done():
			return sample{}, 0, 0, ctx.Err()
		case <-time.After(c.Settle):
		}
		s, err := proc.scrape(ctx)
		if err != nil {
			return s, 0, 0, err
		}
		anon, file, err := residentKiB(proc.cmd.Process.Pid)
		return s, anon, file, err
	}
	idle, idleAnon, idleFile, err := read()
	if err != nil {
		return err
	}
	progress("%d people open an intake each (%d answers) and leave it under way", c.N, openSteps)
	const parallel = 10 // a steady stream, not a flood: this measures memory, not latency
	sem := make(chan struct{}, parallel)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, p := range people {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := openIntake(ctx, p); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d intakes failed, the first: %w\nsetbot's log, last lines:\n%s", len(errs), c.N, errs[0], proc.tail(20))
	}
	after, afterAnon, afterFile, err := read()
	if err != nil {
		return err
	}
	if len(c.Env) > 0 {
		fmt.Fprintf(c.Out, "setbot's environment adds %v\n", c.Env)
	}
	fmt.Fprintf(c.Out, "%-28s %10s %10s %10s %10s %10s\n", fmt.Sprintf("setbot, %s after", c.Settle), "RSS", "anon", "file", "heap", "Go sys")
	row := func(name string, s sample, anon, file int64) {
		fmt.Fprintf(c.Out, "%-28s %10s %10s %10s %10s %10s\n", name, mib(s.RSS), mib(float64(anon<<10)), mib(float64(file<<10)), mib(s.Heap), mib(s.GoSys))
	}
	row("idle", idle, idleAnon, idleFile)
	row(fmt.Sprintf("%d conversations open", c.N), after, afterAnon, afterFile)
	per := func(a, b float64) string { return fmt.Sprintf("%.1f kB", (b-a)/float64(c.N)/1000) }
	fmt.Fprintf(c.Out, "%-28s %10s %10s %10s %10s %10s\n", "growth per conversation", per(idle.RSS, after.RSS),
		per(float64(idleAnon<<10), float64(afterAnon<<10)), per(float64(idleFile<<10), float64(afterFile<<10)), per(idle.Heap, after.Heap), per(idle.GoSys, after.GoSys))
	return nil
}

// openIntake has p answer the standard intake's first openSteps questions
// by DM, each after setbot's answer to the one before.
func openIntake(ctx context.Context, p *mmtest.Person) error {
	dm, err := p.DMChannel(ctx)
	if err != nil {
		return err
	}
	fromBot := p.FromBot(dm, "")
	tag := p.User.Username + "o" + time.Now().Format("150405")
	for i, s := range Steps(tag)[:openSteps] {
		mark := p.Mark()
		if _, err := p.Post(ctx, dm, "", s.Text); err != nil {
			return fmt.Errorf("%s step %d: %w", p.User.Username, i+1, err)
		}
		if _, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, s.Want), answerWithin); err != nil {
			return fmt.Errorf("%s step %d (%q): no answer with %q: %w", p.User.Username, i+1, s.Text, s.Want, err)
		}
	}
	return nil
}
