//go:build e2e

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Sizes of the kill scenario, by the issue that asked for it.
const (
	faultIntakes = 20
	faultRounds  = 5
)

// TestFaultKillDuringConcurrentIntakes: five times, 20 support engineers
// run the intake at once and setbot is killed with SIGKILL at a random
// moment of it, then restarted at once. Every intake completes (no answer
// is lost), no answer is posted twice (no two posts carry one job's ref),
// and the fake Jira holds exactly one ticket per intake.
func TestFaultKillDuringConcurrentIntakes(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	r := newRig(t, w, "")
	bin := buildBinary(t)
	proc := spawn(t, bin, r.cfg)
	ctx := context.Background()
	var ins []*intaker
	for i := range faultIntakes {
		in, err := newIntaker(ctx, w, fmt.Sprintf("fault%02d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(in.p.Close)
		ins = append(ins, in)
	}
	start := time.Now()
	completed := 0
	var longest time.Duration
	steps := len(ins[0].steps()) * len(ins)
	for round := range faultRounds {
		var answered atomic.Int64
		errs := make(chan error, len(ins))
		var wg sync.WaitGroup
		for _, in := range ins {
			in.tag, in.key, in.answered = fmt.Sprintf("%sr%d", in.p.User.Username, round), "", &answered
			wg.Add(1)
			go func() { defer wg.Done(); errs <- in.run(ctx, 2*time.Minute) }()
		}
		allDone := make(chan struct{})
		go func() { wg.Wait(); close(allDone) }()
		// The kill lands at a random point between a tenth and four
		// fifths of the round's answers: mid-round, however fast it runs.
		at := int64(steps/10 + rand.IntN(steps*7/10))
		for answered.Load() < at {
			select {
			case <-allDone:
				t.Fatalf("round %d: the intakes finished before the kill", round+1)
			case <-time.After(5 * time.Millisecond): // polls the count of answers
			}
		}
		proc.kill(syscall.SIGKILL)
		proc = spawn(t, bin, r.cfg)
		<-allDone
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: %v", round+1, err)
			}
		}
		for _, in := range ins {
			if in.key != "" {
				completed++
			}
			longest = max(longest, in.longest)
		}
	}
	elapsed := time.Since(start)
	dups := 0
	for _, in := range ins {
		n, err := in.duplicateReplies(ctx, w.Bot.Id, start)
		if err != nil {
			t.Fatal(err)
		}
		dups += n
	}
	want := faultIntakes * faultRounds
	tickets := len(r.fake.Issues())
	fig.note("%d of %d intakes completed in %d rounds of %d, each round killed once at a random point of its answers, in %s; longest wait for one answer %s",
		completed, want, faultRounds, faultIntakes, elapsed.Round(time.Second), longest.Round(time.Millisecond))
	fig.note("duplicate answers: %d; tickets in Jira: %d (want %d)", dups, tickets, want)
	if completed != want || dups != 0 || tickets != want {
		t.Errorf("%d completed, %d duplicate answers, %d tickets; want %d, 0, %d", completed, dups, tickets, want, want)
	}
	if v := r.fake.Violations(); len(v) > 0 {
		t.Errorf("Jira contract violations: %v", v)
	}
}
