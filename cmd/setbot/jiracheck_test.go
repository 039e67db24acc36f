package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// recWatch records what watchJira reports; sleeping only records the wait.
type recWatch struct {
	mu    sync.Mutex
	ups   []bool
	notes []string
	waits []time.Duration
	backs int
}

func (r *recWatch) watch() jiraWatch {
	return jiraWatch{
		up:   func(b bool) { r.mu.Lock(); r.ups = append(r.ups, b); r.mu.Unlock() },
		note: func(s string) { r.mu.Lock(); r.notes = append(r.notes, s); r.mu.Unlock() },
		back: func() { r.mu.Lock(); r.backs++; r.mu.Unlock() },
		sleep: func(_ context.Context, d time.Duration) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.waits = append(r.waits, d)
			return nil
		},
	}
}

// answers is a check that fails with each error in turn, then succeeds.
func answers(errs ...error) func(context.Context) error {
	i := 0
	return func(context.Context) error {
		if i < len(errs) {
			i++
			return errs[i-1]
		}
		return nil
	}
}

// TestWatchJiraRetriesADownJiraWithBackoff: a Jira that does not answer is
// retried with growing waits, and setbot_jira_up turns 1 once it answers;
// the admins are not bothered.
func TestWatchJiraRetriesADownJiraWithBackoff(t *testing.T) {
	var r recWatch
	down := setbot.Errorf(setbot.EUnavailable, "Jira is not answering.")
	watchJira(context.Background(), zerolog.Nop(), []jiraCheck{{"jira", answers(down, down, down)}}, r.watch())
	if fmt.Sprint(r.waits) != "[5s 10s 20s]" || fmt.Sprint(r.ups) != "[false true]" || len(r.notes) != 0 {
		t.Errorf("waits %v, up %v, notes %q", r.waits, r.ups, r.notes)
	}
}

// TestWatchJiraRefusedIsLoudAndKeepsChecking: a Jira that refuses setbot
// (401) is noted to the admins, checked again every 5 minutes, and the
// other checks wait for it.
func TestWatchJiraRefusedIsLoudAndKeepsChecking(t *testing.T) {
	var r recWatch
	refused := setbot.Errorf(setbot.EUnconfigured, "Jira refused setbot's credentials (401): check jira.email and jira.token.")
	watchJira(context.Background(), zerolog.Nop(), []jiraCheck{{"jira", answers(refused, refused)}, {"routing", answers()}}, r.watch())
	if fmt.Sprint(r.waits) != "[5m0s 5m0s]" || len(r.notes) != 2 || fmt.Sprint(r.ups) != "[false true]" || r.backs != 1 {
		t.Errorf("waits %v, notes %q, up %v, backs %d", r.waits, r.notes, r.ups, r.backs)
	}
}

// TestWatchJiraStopsWithItsContext: a stopped setbot stops checking.
func TestWatchJiraStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var r recWatch
	w := r.watch()
	w.sleep = sleepCtx
	watchJira(ctx, zerolog.Nop(), []jiraCheck{{"jira", func(context.Context) error { return setbot.Errorf(setbot.EUnavailable, "down") }}}, w)
	if fmt.Sprint(r.ups) != "[false]" || r.backs != 0 {
		t.Errorf("up %v, backs %d after a cancelled watch, want only the initial false", r.ups, r.backs)
	}
}
