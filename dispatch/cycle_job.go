package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// jobReport writes and posts a weekly cycle report. Payload: reportJob.
// Persisted: never rename.
const jobReport = "cycle-report"

// reportJiraWait is how long a report waits for an unavailable Jira before
// it is posted without the ticket list: half an hour late, the rest of the
// report (the team, incidents, pages, the hand-over reminder) matters more
// than the tickets, which `@setbot report` lists again later. setbot's own
// choice.
const reportJiraWait = 30 * time.Minute

// noticeAssignAll is the store notification kind of "Assign all" clicks:
// assign-all/<post>/<user>, so a second click does not reassign twice.
const noticeAssignAll = "assign-all"

// reportJob is one report to write, and where.
type reportJob struct {
	Kind      setbot.ReportKind `json:"kind"`
	Week      string            `json:"week"` // the week it is for; never posted in another
	Channel   setbot.ChannelID  `json:"channel"`
	Root      setbot.PostID     `json:"root,omitempty"`
	Scheduled bool              `json:"scheduled,omitempty"`
	Due       time.Time         `json:"due,omitzero"` // when a late scheduled report was due
}

func runReportJob(ctx context.Context, d *core, j store.Job, job reportJob) error {
	log := d.log.With().Stringer("report", job.Kind).Str("week", job.Week).Bool("scheduled", job.Scheduled).Logger()
	ro, err := d.roster()
	if err != nil {
		return err
	}
	now := d.now()
	if week := ro.WeekOf(now).Format(setbot.WeekLayout); week != job.Week {
		log.Warn().Str("now_week", week).Msg("report for a past week not posted")
		return nil
	}
	rep, err := d.cycle.gatherReport(ctx, job, j, ro)
	if err != nil {
		log.Warn().Err(err).Msg("report waits for Jira")
		return err
	}
	stale := -1
	var files []setbot.ReplyFile
	if rep.Kind == setbot.ReportHandover {
		if rep.TicketsMissing == "" {
			stale = len(d.cfg.Stale.Stale(rep.Tickets, now))
		}
		if files, err = d.cycle.addRecord(ro, now, stale, &rep); err != nil {
			return err
		}
	}
	reply := setbot.Reply{ChannelID: job.Channel, RootID: job.Root, Text: rep.Text(), Files: files}
	if b, ok := assignAllButton(rep, job.Root); ok {
		reply.Buttons = []setbot.Button{b}
	}
	log.Info().Int("tickets", len(rep.Tickets)).Bool("jira_missing", rep.TicketsMissing != "").Msg("report posted")
	err = d.db.FinishJob(j.ID, now, func(tx *store.Tx) error {
		if stale >= 0 {
			if err := tx.LogStaleAtHandover(job.Week, stale); err != nil {
				return err
			}
		}
		return enqueueReplies(tx, []setbot.Reply{reply})
	})
	d.kick()
	return err
}

// gatherReport reads what the report says. It returns an EUnavailable
// error (the job is retried) while Jira is down and reportJiraWait has not
// passed; after that the report says Jira could not be read.
func (d *cycle) gatherReport(ctx context.Context, job reportJob, j store.Job, ro setbot.Roster) (setbot.CycleReport, error) {
	now := d.now()
	rep := setbot.CycleReport{Kind: job.Kind, Now: now, Bot: d.cfg.Bot.Username, Late: job.Due,
		ThreadLink: d.chat.Permalink, ChannelLink: d.channelLink}
	rep.Shift, _ = ro.At(now)
	rep.Next, _ = ro.At(ro.NextBoundary(now))
	var err error
	if rep.Incidents, err = d.db.OpenIncidents(); err != nil {
		return rep, fmt.Errorf("read incidents: %w", err)
	}
	if rep.Pages, err = d.db.OpenPages(); err != nil {
		return rep, fmt.Errorf("read pages: %w", err)
	}
	lister, ok := d.ext.Tracker.(setbot.TicketLister)
	if !ok {
		rep.TicketsMissing = "Jira is not configured for setbot, so the open tickets are not listed."
		return rep, nil
	}
	ts, err := lister.OpenTickets(ctx, setbot.MaxReportTickets)
	switch {
	case err == nil:
		rep.Tickets, rep.TicketsCapped = ts, len(ts) >= setbot.MaxReportTickets
		if job.Kind == setbot.ReportStart {
			return rep, d.startChecks(ctx, j, &rep)
		}
	case (setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil) && now.Sub(j.Created) < reportJiraWait:
		return rep, err
	default:
		rep.TicketsMissing = fmt.Sprintf("Jira could not be read (%s), so the open tickets are not listed. Ask again later with `@%s report`.",
			strings.TrimSuffix(setbot.ErrorMessage(err), "."), d.cfg.Bot.Username)
	}
	return rep, nil
}

// assignAllButton is the hand-over's "Assign all to @incoming-primary".
func assignAllButton(rep setbot.CycleReport, root setbot.PostID) (setbot.Button, bool) {
	to := rep.Suggested()
	out := rep.Outgoing()
	if rep.Kind != setbot.ReportHandover || rep.TicketsMissing != "" || to == "" || len(out) == 0 {
		return setbot.Button{}, false
	}
	keys := make([]setbot.IssueKey, len(out))
	for i, is := range out {
		keys[i] = is.Key
	}
	return setbot.Button{Label: "Assign all to @" + string(to), Action: assignAllAction(to, root, keys), Style: "primary"}, true
}

// channelLink links a channel of setbot's team by id, from the shape of a
// permalink ("<site>/<team>/pl/<id>"); "" when that shape is unknown.
func (d *cycle) channelLink(ch setbot.ChannelID) string {
	base, ok := strings.CutSuffix(d.chat.Permalink(""), "/pl/")
	if !ok {
		return ""
	}
	return base + "/channels/" + string(ch)
}

// clickAssignAll handles the hand-over's "Assign all" button: the current or
// incoming SET lead or a rotation admin reassigns the listed tickets through
// the durable ticket-op jobs, which confirm each one in the report's thread.
func (d *cycle) clickAssignAll(ctx context.Context, c setbot.Click) string {
	to, root, keys, ok := parseAssignAll(c.Action)
	if !ok {
		return "That button no longer does anything."
	}
	if root == "" {
		root = c.PostID // a scheduled report is the root of its thread
	}
	ctx, cancel := context.WithTimeout(ctx, clickLookupBound)
	defer cancel()
	if err := d.checkAssignAll(ctx, c.UserID); err != nil {
		return setbot.ErrorMessage(err)
	}
	u, err := d.chat.UserByName(ctx, to)
	if err != nil || u.Deleted {
		return fmt.Sprintf("I can't find `@%s` any more; assign the tickets one by one with the commands in the report.", to)
	}
	claimed := false
	err = d.db.Update(d.now(), func(tx *store.Tx) error {
		var err error
		if claimed, err = tx.ClaimNotice(noticeAssignAll, string(c.PostID), string(to)); err != nil || !claimed {
			return err
		}
		for _, k := range keys {
			op := ticketOp{Op: opAssign, Key: k, User: u.Username, Email: u.Email, By: c.Username, Channel: c.ChannelID, Root: root}
			if _, err := tx.Enqueue(jobTicketOp, "assign-all-"+string(c.PostID)+"-"+string(k), op, time.Time{}); err != nil {
				return err
			}
		}
		return enqueueReplies(tx, []setbot.Reply{{ChannelID: c.ChannelID, RootID: root,
			Text: fmt.Sprintf("`@%s` is reassigning %d ticket(s) to @%s; I'll confirm each one here.", c.Username, len(keys), to)}})
	})
	if err != nil {
		d.log.Error().Err(err).Msg("assign all: queue")
		return setbot.ErrorMessage(err)
	}
	if !claimed {
		return fmt.Sprintf("These tickets are already being reassigned to @%s.", to)
	}
	d.kick()
	return fmt.Sprintf("Reassigning %d ticket(s) to @%s.", len(keys), to)
}

// checkAssignAll allows the current and incoming SET leads and the rotation
// admins: reassigning a whole team's tickets is the lead's hand-over step.
func (d *cycle) checkAssignAll(ctx context.Context, id setbot.UserID) error {
	if d.ext.Tracker == nil {
		return setbot.Errorf(setbot.EUnconfigured, "Jira is not configured for setbot, so I cannot reassign tickets.")
	}
	ro, err := d.roster()
	if err != nil {
		return err
	}
	who := ro.Changers(d.cfg.Rotation.Admins, d.now())
	if d.isOneOf(ctx, id, who) {
		return nil
	}
	return setbot.Errorf(setbot.EForbidden, "Only the SET leads and the rotation admins (%s) can reassign all of the outgoing team's tickets; the commands in the report work for every SET member.", someOf(who))
}

// startChecks adds the stale tickets (from the tickets the report read:
// no second search) and the Kanban order to a start report.
func (d *cycle) startChecks(ctx context.Context, j store.Job, rep *setbot.CycleReport) error {
	c := setbot.TicketChecks{Now: rep.Now, Policy: d.cfg.Stale, Stale: d.cfg.Stale.Stale(rep.Tickets, rep.Now)}
	d.triage.staleCount.Store(int64(len(c.Stale)))
	rep.Checks = &c
	return d.readOrder(ctx, j, &c)
}

// addRecord adds the outgoing week's record so far to a hand-over report,
// and returns the chart of the last weeks with it.
func (d *cycle) addRecord(ro setbot.Roster, now time.Time, stale int, rep *setbot.CycleReport) ([]setbot.ReplyFile, error) {
	rec, err := d.weekSoFar(ro, now, stale)
	if err != nil {
		return nil, fmt.Errorf("week record: %w", err)
	}
	rep.Record = &rec
	before, err := d.db.Records(rec.Week, defaultStatsWeeks-1)
	if err != nil {
		return nil, fmt.Errorf("week records: %w", err)
	}
	return d.chart(append(before, rec)), nil
}
