// Package load measures setbot under load on a real Mattermost server
// (issue 17): N people run the standard intake by DM at once, while N pairs
// of people echo messages to each other in the same run, and it reports the
// percentiles of both round trips, their ratio, and setbot's memory and CPU
// time from its /metrics. It measures; it changes nothing in setbot.
//
// setbot runs as its own process, built from this module, with a fresh
// store and a fake Jira served by this process on loopback, and under a bot
// account of its own (BotName), so that another setbot on the same server
// (the e2e suite's) neither answers the load's people nor is counted.
//
// Echo pair i makes one round trip each time intake i gets an answer, so
// the echo runs through the whole load at the intakes' pace and adds as
// many posts as they do: it is measured under the same server load as
// setbot's replies, without being a flood of its own.
package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// BotName is the account the measured setbot runs as.
const BotName = "setbot-load"

// MaxN is the most concurrent intakes: each takes one account and each echo
// pair two, and Mattermost Team Edition refuses more than about 250 users
// (the e2e suite holds some 40). Accounts are reused across runs.
const MaxN = 60

// answerWithin is how long a reply or an echo may take before the run
// fails: long, since the point is to measure how slow replies get, but
// finite, so that a lost answer ends the run.
const answerWithin = 3 * time.Minute

// Config is one run.
type Config struct {
	URL    string   // the Mattermost server
	N      int      // concurrent intakes, and echo pairs
	Rounds int      // intakes per person, one after the other
	Setbot string   // a setbot binary to run; "" builds one from this module
	Env    []string // added to setbot's environment
	// Profiles, when set, builds a profiled setbot (Setbot is ignored)
	// and saves its CPU profile of the intakes (in slices, cpu-*.pb.gz)
	// and its block, mutex and heap profiles after them there.
	Profiles string
	Out      io.Writer
}

// Result is what a run measured.
type Result struct {
	N, Rounds    int
	TextReplies  []time.Duration   // setbot's answers to text messages
	FileReplies  []time.Duration   // setbot's answers to uploads
	ByStep       [][]time.Duration // setbot's answers by step of the intake
	Echo         []time.Duration
	EarlyReplies int // answers that arrived before the person's post returned
	EarlyEchoes  int
	Idle, After  sample
	PeakRSS      float64
	IntakeWall   time.Duration // from the first intake's start to the last's end
	SetbotPosted float64       // posts setbot handled during the run (its /metrics)
}

// Run measures one load and prints the result to c.Out.
func Run(ctx context.Context, c Config) (*Result, error) {
	if c.N < 1 || c.N > MaxN {
		return nil, fmt.Errorf("-n must be between 1 and %d (Team Edition's user limit), got %d", MaxN, c.N)
	}
	if c.Rounds < 1 {
		return nil, fmt.Errorf("-rounds must be at least 1, got %d", c.Rounds)
	}
	b, err := newBench(ctx, c.URL, c.Setbot, c.Profiles)
	if err != nil {
		return nil, err
	}
	defer b.close()
	w, dir, bin, env, prof := b.w, b.dir, b.bin, append(b.env, c.Env...), b.prof
	fs, err := makeFiles()
	if err != nil {
		return nil, err
	}

	progress("logging in %d people and %d echo pairs", c.N, c.N)
	names := make([]string, 0, 3*c.N)
	for i := 1; i <= c.N; i++ {
		names = append(names, fmt.Sprintf("load%02d", i))
	}
	for i := 1; i <= c.N; i++ {
		names = append(names, fmt.Sprintf("echo%02da", i), fmt.Sprintf("echo%02db", i))
	}
	people, err := login(ctx, w, names)
	defer func() {
		for _, p := range people {
			if p != nil {
				p.Close()
			}
		}
	}()
	if err != nil {
		return nil, err
	}

	progress("starting setbot")
	proc, err := start(ctx, bin, dir, w, env...)
	if err != nil {
		return nil, err
	}
	defer proc.stop()
	time.Sleep(2 * time.Second) // let start-up's catch-up and first timer passes end before "idle"
	res := &Result{N: c.N, Rounds: c.Rounds, ByStep: make([][]time.Duration, len(Steps("")))}
	if res.Idle, err = proc.scrape(ctx); err != nil {
		return nil, err
	}
	res.PeakRSS = res.Idle.RSS

	progress("running %d intakes of %d answers each, and %d echo pairs beside them", c.N*c.Rounds, len(Steps("")), c.N)
	peakDone := make(chan struct{})
	peakCtx, stopPeak := context.WithCancel(ctx)
	go func() {
		defer close(peakDone)
		for {
			select {
			case <-peakCtx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			if s, err := proc.scrape(peakCtx); err == nil {
				res.PeakRSS = max(res.PeakRSS, s.RSS)
			}
		}
	}()
	var (
		mu   sync.Mutex
		errs []error
		all  sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	answers := len(Steps("")) * c.Rounds
	stopCPU := func() {}
	if c.Profiles != "" {
		stopCPU = prof.cpu(ctx)
	}
	began := time.Now()
	for i := range c.N {
		p, a, b := people[i], people[c.N+2*i], people[c.N+2*i+1]
		ticks := make(chan struct{}, answers)
		all.Go(func() {
			defer close(ticks)
			text, files, bystep, early, err := intake(ctx, p, fs, c.Rounds, answerWithin, ticks)
			mu.Lock()
			res.TextReplies = append(res.TextReplies, text...)
			res.FileReplies = append(res.FileReplies, files...)
			for i, d := range bystep {
				res.ByStep[i] = append(res.ByStep[i], d...)
			}
			res.EarlyReplies += early
			mu.Unlock()
			if err != nil {
				fail(err)
			}
		})
		all.Go(func() {
			trips, early, err := echo(ctx, a, b, ticks, answerWithin)
			mu.Lock()
			res.Echo = append(res.Echo, trips...)
			res.EarlyEchoes += early
			mu.Unlock()
			if err != nil {
				fail(err)
				for range ticks { // let the intake finish
				}
			}
		})
	}
	all.Wait()
	res.IntakeWall = time.Since(began)
	stopPeak()
	<-peakDone
	stopCPU()
	if c.Profiles != "" {
		for _, name := range []string{"block", "mutex", "heap", "goroutine"} {
			if err := prof.save(ctx, name+".pb.gz", name); err != nil {
				return nil, err
			}
		}
		progress("profiles in %s (go tool pprof %s %s/cpu-*.pb.gz)", c.Profiles, bin, c.Profiles)
	}
	if res.After, err = proc.scrape(ctx); err != nil {
		return nil, err
	}
	res.PeakRSS = max(res.PeakRSS, res.After.RSS)
	res.SetbotPosted = res.After.Handled - res.Idle.Handled
	res.Print(c.Out)
	if len(errs) > 0 {
		for _, err := range errs[:min(len(errs), 5)] {
			fmt.Fprintf(c.Out, "error: %v\n", err)
		}
		fmt.Fprintf(c.Out, "setbot's log, last lines:\n%s\n", proc.tail(20))
		return res, fmt.Errorf("%d of %d intakes and echo pairs failed", len(errs), 2*c.N)
	}
	return res, nil
}

// login logs every name in (making the account on first use), a few at a
// time, and returns the people in the order of names. On error the people
// logged in so far are returned, to be closed.
func login(ctx context.Context, w *mmtest.World, names []string) ([]*mmtest.Person, error) {
	const parallel = 8 // enough to be quick, few enough not to be a load of its own
	people := make([]*mmtest.Person, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			people[i], errs[i] = w.Person(ctx, name)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return people, err
		}
	}
	return people, nil
}

// ownBot makes (or finds) the BotName account, in the team and its
// channels, with a fresh token, and puts it in w in place of the e2e
// suite's bot, so that the people's FromBot matches it.
func ownBot(ctx context.Context, w *mmtest.World) error {
	u, resp, err := w.Admin.GetUserByUsername(ctx, BotName, "")
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return fmt.Errorf("look up bot %s: %w", BotName, err)
	}
	if u == nil {
		b, _, err := w.Admin.CreateBot(ctx, &model.Bot{Username: BotName, DisplayName: BotName, Description: "setbot-load"})
		if err != nil {
			return fmt.Errorf("create bot %s: %w", BotName, err)
		}
		if u, _, err = w.Admin.GetUser(ctx, b.UserId, ""); err != nil {
			return err
		}
	}
	if _, _, err := w.Admin.AddTeamMember(ctx, w.Team.Id, u.Id); err != nil {
		return fmt.Errorf("add %s to the team: %w", BotName, err)
	}
	for _, ch := range []*model.Channel{w.SET, w.Ask} {
		if _, _, err := w.Admin.AddChannelMember(ctx, ch.Id, u.Id); err != nil {
			return fmt.Errorf("add %s to %s: %w", BotName, ch.Name, err)
		}
	}
	tok, _, err := w.Admin.CreateUserAccessToken(ctx, u.Id, "setbot-load "+time.Now().Format(time.RFC3339Nano), 0)
	if err != nil {
		return fmt.Errorf("token for %s: %w", BotName, err)
	}
	w.Bot, w.BotToken = u, tok.Token
	return nil
}

// Print writes the result as a table.
func (r *Result) Print(out io.Writer) {
	replies := r.Replies()
	rep, text, files, ech := Summarize(replies), Summarize(r.TextReplies), Summarize(r.FileReplies), Summarize(r.Echo)
	fmt.Fprintf(out, "N=%d rounds=%d: %d intakes of %d answers at once, %d echo pairs beside them (a trip per answer)\n",
		r.N, r.Rounds, r.N*r.Rounds, len(Steps("")), r.N)
	fmt.Fprintln(out, "latency: from just before the post is sent to the answer arriving on the sender's websocket")
	fmt.Fprintf(out, "%-22s %6s %9s %9s %9s %9s\n", "round trip", "count", "p50", "p95", "p99", "max")
	row := func(name string, s Summary) {
		fmt.Fprintf(out, "%-22s %6d %9s %9s %9s %9s\n", name, s.Count, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	}
	row("setbot reply", rep)
	row("  to a text message", text)
	row("  to an upload", files)
	row("echo (the floor)", ech)
	fmt.Fprintf(out, "answers that arrived before the post call returned: setbot %d of %d, echo %d of %d\n", r.EarlyReplies, rep.Count, r.EarlyEchoes, ech.Count)
	fmt.Fprintf(out, "ratio setbot/echo: p50 %.2f  p95 %.2f  p99 %.2f\n", ratio(rep.P50, ech.P50), ratio(rep.P95, ech.P95), ratio(rep.P99, ech.P99))
	fmt.Fprintf(out, "setbot RSS: idle %s, after %s, peak %s (sampled every 250 ms)\n", mib(r.Idle.RSS), mib(r.After.RSS), mib(r.PeakRSS))
	cpu := r.After.CPU - r.Idle.CPU
	perReply := 0.0
	if len(replies) > 0 {
		perReply = cpu / float64(len(replies))
	}
	fmt.Fprintf(out, "setbot CPU: %.2f s over the run for %d replies = %.1f ms per reply (posts handled: %.0f)\n",
		cpu, len(replies), perReply*1000, r.SetbotPosted)
	if posts := r.After.Posts - r.Idle.Posts; posts > 0 {
		fmt.Fprintf(out, "setbot's own posts: %.0f, %.1f ms each on average (setbot_job_duration_seconds{kind=\"post\"})\n",
			posts, (r.After.PostSeconds-r.Idle.PostSeconds)/posts*1000)
	}
	fmt.Fprintf(out, "setbot reply by step%s p50 / p99\n", strings.Repeat(" ", 53))
	for i, st := range Steps("…") {
		said := st.Text + st.File
		if len([]rune(said)) > 24 {
			said = string([]rune(said)[:23]) + "…"
		}
		s := Summarize(r.ByStep[i])
		fmt.Fprintf(out, "  %2d %-24s → %-30s %9s / %s\n", i+1, said, fmt.Sprintf("%q", st.Want), ms(s.P50), ms(s.P99))
	}
	fmt.Fprintf(out, "the run took %.1f s of wall time (%.1f replies/s)\n", r.IntakeWall.Seconds(), float64(len(replies))/r.IntakeWall.Seconds())
}

// Replies is every answer setbot gave.
func (r *Result) Replies() []time.Duration {
	return append(slices.Clone(r.TextReplies), r.FileReplies...)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
