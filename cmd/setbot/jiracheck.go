package main

import (
	"cmp"
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// jiraCheck is one Jira project setbot files into, and its check.
type jiraCheck struct {
	name  string // for logs: "jira", "routing"
	check func(context.Context) error
}

// Bounds of the background Jira check.
const (
	jiraCheckFirstRetry = 5 * time.Second
	// jiraCheckEvery is how often a Jira that refuses setbot (401, 403, a
	// project it cannot use) is checked again and logged as an error: loud
	// enough to be seen, not a flood.
	jiraCheckEvery = 5 * time.Minute
	jiraCheckBound = 2 * time.Minute // one check, its retries included
)

// jiraWatch reports what the background check finds.
type jiraWatch struct {
	up    func(bool)   // setbot_jira_up
	note  func(string) // tells the rotation admins once per distinct problem
	back  func()       // Jira answers: the jobs waiting for it run now (dispatch JiraBack)
	sleep func(context.Context, time.Duration) error
	// every is how often a Jira that refuses setbot is checked again;
	// zero: jiraCheckEvery.
	every time.Duration
}

// watchJira checks every project until each has answered, while setbot
// runs: setbot never waits on Jira to start, page or answer (intakes queue
// in the outbox meanwhile). Jira not answering is retried with backoff up
// to jiraCheckEvery; Jira refusing setbot is logged as an error every
// jiraCheckEvery and noted once to the rotation admins. It returns when
// all answered (then the jobs waiting for Jira run at once) or ctx ends.
func watchJira(ctx context.Context, log zerolog.Logger, checks []jiraCheck, w jiraWatch) {
	every := cmp.Or(w.every, jiraCheckEvery)
	w.up(false)
	for _, c := range checks {
		wait := jiraCheckFirstRetry
		for {
			cctx, cancel := context.WithTimeout(ctx, jiraCheckBound)
			err := c.check(cctx)
			cancel()
			if err == nil {
				log.Info().Str("jira", c.name).Msg("Jira project checked")
				break
			}
			msg := setbot.ErrorMessage(err)
			if setbot.ErrorCode(err) == setbot.EUnavailable {
				log.Warn().Str("jira", c.name).Str("error", msg).Dur("retry_in", wait).Msg("Jira is not answering; tickets are queued until it does")
			} else {
				wait = every
				log.Error().Str("jira", c.name).Str("error", msg).Dur("retry_in", wait).Msg("Jira refuses setbot; tickets are queued until this is fixed")
				w.note(msg)
			}
			if w.sleep(ctx, wait) != nil {
				return
			}
			wait = min(wait*2, every)
		}
	}
	w.up(true)
	if w.back != nil {
		w.back()
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
