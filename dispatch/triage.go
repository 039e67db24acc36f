package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// SET's ticket duties (issue 15; the seed: push stuck tickets to
// completion, keep the Kanban TO DO column in the order hotfix > release >
// customer > other). Each weekday at [stale] digest the stale tickets are
// listed in the day's thread of ~sustained-engineering, each assignee
// mentioned once; the start report lists them and the out-of-order TO DO
// tickets; `@setbot triage` lists those and the waiting posts now.

// Persisted job kinds and notice kind: never rename.
const (
	// jobStaleDigest posts a day's stale-ticket digest. Payload: digestJob.
	jobStaleDigest = "stale-digest"
	// jobTriage answers `@setbot triage`. Payload: triageJob.
	jobTriage = "triage"
	// noticeStaleDigest claims a day's digest: stale-digest/<day>/digest.
	noticeStaleDigest = "stale-digest"
)

// Bounds of the ticket checks.
const (
	// maxBoardTickets is how much of the TO DO column is checked: more than
	// a team can order by hand in a week.
	maxBoardTickets = 200
	// staleRefresh is how often the stale count behind setbot_stale_tickets
	// is read from Jira between digests: one search.
	staleRefresh = 15 * time.Minute
	// staleRefreshBound bounds that search.
	staleRefreshBound = 30 * time.Second
)

type digestJob struct {
	Day string `json:"day"` // WeekLayout, in the rotation's time zone
}

type triageJob struct {
	Channel setbot.ChannelID `json:"channel"`
	Root    setbot.PostID    `json:"root"`
}

func (d *triage) commands() []command {
	return []command{{name: "triage", usage: "triage",
		summary: "list now what SET has waiting: unanswered posts, ~Ask R&D questions, stale tickets, the TO DO order (SET members)",
		where:   inSET, run: runTriage}}
}

func (d *triage) clickRoutes() []clickRoute { return nil }

// tick claims and queues the day's stale digest when it is due.
func (d *triage) tick(_ context.Context, now time.Time) {
	at := d.cfg.StaleDigest
	if at == nil || d.ext.Tracker == nil {
		return
	}
	loc := d.cfg.Rotation.Location
	local := now.In(loc)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return
	}
	due := time.Date(local.Year(), local.Month(), local.Day(), int(*at/time.Hour), int(*at%time.Hour/time.Minute), 0, 0, loc)
	if now.Before(due) || now.Sub(due) > askSweepLate {
		return
	}
	day := local.Format(setbot.WeekLayout)
	if _, done, err := d.db.NoticeSent(noticeStaleDigest, day, "digest"); done || err != nil {
		return
	}
	err := d.db.Update(now, func(tx *store.Tx) error {
		claimed, err := tx.ClaimNotice(noticeStaleDigest, day, "digest")
		if !claimed || err != nil {
			return err
		}
		_, err = tx.Enqueue(jobStaleDigest, "", digestJob{Day: day}, time.Time{})
		return err
	})
	if err != nil {
		d.log.Error().Err(err).Str("day", day).Msg("stale digest: claim")
		return
	}
	d.kick()
}

// runTriage queues the triage post as a job answering in the command's
// thread: it reads Jira, which a handler must not wait for.
func runTriage(ctx context.Context, d *core, r request) (outcome, error) {
	if err := d.checkMember(ctx, r.msg.UserID); err != nil {
		return outcome{}, err
	}
	job := triageJob{Channel: r.msg.ChannelID, Root: r.msg.ThreadID()}
	return outcome{apply: func(tx *store.Tx) error {
		_, err := tx.Enqueue(jobTriage, string(r.msg.ID), job, time.Time{})
		return err
	}}, nil
}

// runTriageJob gathers every list and posts them in the command's thread.
func runTriageJob(ctx context.Context, d *core, j store.Job, job triageJob) error {
	d.watch.flush(ctx) // everything observed before the command is listed
	now := d.now()
	open, err := d.db.Unanswered()
	if err != nil {
		return err
	}
	rep := setbot.TriageReport{Now: now, AskAfter: d.cfg.Watch.AskAfter, Link: d.chat.Permalink}
	for _, w := range open {
		switch {
		case w.Intake: // setbot's own announcement, timed for the week records only
		case w.Channel == d.cfg.SETChannel:
			rep.Unanswered = append(rep.Unanswered, w)
		case w.Channel == d.cfg.AskChannel && w.Taken == "" && !w.At.After(now.Add(-d.cfg.Watch.AskAfter)):
			rep.Questions = append(rep.Questions, w)
		}
	}
	byAge := func(a, b setbot.Watched) int { return a.At.Compare(b.At) }
	slices.SortFunc(rep.Unanswered, byAge)
	slices.SortFunc(rep.Questions, byAge)
	checks, err := d.triage.checks(ctx, j, now)
	if err != nil {
		return err
	}
	rep.Checks = checks
	reply := setbot.Reply{ChannelID: job.Channel, RootID: job.Root, Text: rep.Text()}
	err = d.db.FinishJob(j.ID, now, func(tx *store.Tx) error { return enqueueReplies(tx, []setbot.Reply{reply}) })
	d.kick()
	return err
}

// runStaleDigest lists the day's stale tickets in the day's thread; no
// stale ticket: no post.
func runStaleDigest(ctx context.Context, d *core, j store.Job, job digestJob) error {
	now := d.now()
	c := setbot.TicketChecks{Now: now, Policy: d.cfg.Stale}
	if err := d.triage.readStale(ctx, j, &c); err != nil {
		return err
	}
	if c.StaleMissing == "" && len(c.Stale) == 0 {
		return d.db.FinishJob(j.ID, now, nil)
	}
	text := c.StaleDigest()
	if c.StaleMissing != "" {
		text = ":warning: " + c.StaleMissing
	}
	return runAskSweep(ctx, d, j, askSweepJob{Thread: dayThread(job.Day), Reply: setbot.Reply{ChannelID: d.cfg.SETChannel, Text: text}})
}

// dayThread names the day's thread in ~sustained-engineering, which the
// ~Ask R&D sweeps and the stale digest share. Persisted: never rename.
func dayThread(day string) string { return noticeAskSweep + "/" + day }

// checks reads the stale tickets and the Kanban order for a report or a
// triage. It returns an EUnavailable error (the job is retried) while
// Jira is down and reportJiraWait has not passed since the job was
// queued; after that each list says why it is missing.
func (d *triage) checks(ctx context.Context, j store.Job, now time.Time) (setbot.TicketChecks, error) {
	c := setbot.TicketChecks{Now: now, Policy: d.cfg.Stale, Classes: d.cfg.Order}
	if err := d.readStale(ctx, j, &c); err != nil {
		return c, err
	}
	return c, d.readOrder(ctx, j, &c)
}

// readOrder fills c's Kanban check from the TO DO column.
func (d *core) readOrder(ctx context.Context, j store.Job, c *setbot.TicketChecks) error {
	c.Classes = d.cfg.Order
	board, ok := d.ext.Tracker.(setbot.BoardReader)
	if !ok {
		c.OrderMissing = "Jira is not configured for setbot, so the TO DO column is not checked."
		return nil
	}
	todo, err := board.ToDo(ctx, d.cfg.Order, maxBoardTickets)
	if c.OrderMissing, err = d.missing(ctx, err, j, c.Now, "the TO DO column is not checked"); err != nil || c.OrderMissing != "" {
		return err
	}
	c.Misplaced, c.Want = setbot.KanbanOrder(todo)
	return nil
}

// readStale fills c's stale tickets with one search, and the gauge.
func (d *triage) readStale(ctx context.Context, j store.Job, c *setbot.TicketChecks) error {
	lister, ok := d.ext.Tracker.(setbot.TicketLister)
	if !ok {
		c.StaleMissing = "Jira is not configured for setbot, so stale tickets are not listed."
		return nil
	}
	ts, err := lister.OpenTickets(ctx, setbot.MaxReportTickets)
	if c.StaleMissing, err = d.missing(ctx, err, j, c.Now, "stale tickets are not listed"); err != nil || c.StaleMissing != "" {
		return err
	}
	c.Stale = c.Policy.Stale(ts, c.Now)
	d.staleCount.Store(int64(len(c.Stale)))
	return nil
}

// missing turns a Jira error into the sentence a list shows instead, or
// returns it to retry the job while Jira may still come back.
func (d *core) missing(ctx context.Context, err error, j store.Job, now time.Time, what string) (string, error) {
	switch {
	case err == nil:
		return "", nil
	case (setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil) && now.Sub(j.Created) < reportJiraWait:
		return "", err
	}
	d.log.Warn().Err(err).Msg("ticket check: Jira")
	return fmt.Sprintf("Jira could not be read (%s), so %s. Ask again later with `@%s triage`.",
		strings.TrimSuffix(setbot.ErrorMessage(err), "."), what, d.cfg.Bot.Username), nil
}

// run keeps the stale count current between digests until done is
// closed: one search every staleRefresh.
func (d *triage) run(ctx context.Context, done <-chan struct{}) {
	lister, ok := d.ext.Tracker.(setbot.TicketLister)
	if !ok {
		return
	}
	t := time.NewTicker(staleRefresh)
	defer t.Stop()
	for {
		sctx, cancel := context.WithTimeout(ctx, staleRefreshBound)
		ts, err := lister.OpenTickets(sctx, setbot.MaxReportTickets)
		cancel()
		if err == nil {
			d.staleCount.Store(int64(len(d.cfg.Stale.Stale(ts, d.now()))))
		} else {
			d.log.Debug().Err(err).Msg("stale count: Jira")
		}
		select {
		case <-t.C:
		case <-done:
			return
		}
	}
}

// StaleTickets is the number of stale tickets at the last look, and
// whether Jira has been read yet (setbot_stale_tickets).
func (d *Dispatcher) StaleTickets() (int, bool) {
	n := d.c.triage.staleCount.Load()
	return int(n), n >= 0
}
