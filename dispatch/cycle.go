package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// The SET weekly cycle's scheduled reports (the seed's "SET Weekly Cycle":
// start of the week, Friday hand-over) live in this file and
// cycle_job.go. The timer claims a report once per week in the store, in
// the transaction that queues the durable job that writes it; the job reads
// Jira when it runs, so the report is current.

// Reports are the times of the weekly reports ([reports]); nil: not posted.
type Reports struct {
	Start    *setbot.ReportTime
	Handover *setbot.ReportTime
}

// at is the configured time of a report kind, or nil.
func (r Reports) at(k setbot.ReportKind) *setbot.ReportTime {
	switch k {
	case setbot.ReportStart:
		return r.Start
	case setbot.ReportHandover:
		return r.Handover
	}
	return nil
}

// noticeReport is the store notification kind of scheduled reports:
// report/<kind>/<week>.
const noticeReport = "report"

// cycleCommands are the report commands of the command table.
func (d *cycle) commands() []command {
	return append([]command{
		{name: "report", aliases: []string{"reports"}, usage: "report [handover]",
			summary: "the start-of-week report now (open tickets, owners, incidents, pages), or the Friday hand-over report", where: inSET, run: runReport},
	}, d.statsCommands()...)
}

// runReport queues the report as a job answering in the command's thread.
func runReport(ctx context.Context, d *core, r request) (outcome, error) {
	if err := d.checkMember(ctx, r.msg.UserID); err != nil {
		return outcome{}, err
	}
	kind := setbot.ReportStart
	if len(r.args) > 0 {
		k, err := setbot.ParseReportKind(r.args[0])
		if err != nil {
			return outcome{}, err
		}
		kind = k
	}
	ro, err := d.roster()
	if err != nil {
		return outcome{}, err
	}
	if last, ok := d.cycle.asked.recent(r.msg.ChannelID, kind, d.now()); ok {
		var o outcome
		o.say(d.replyTo(r.msg, fmt.Sprintf("I posted that report here %s ago: %s. I post it at most once every %s in a channel.",
			setbot.FormatAge(d.now().Sub(last.at)), d.chat.Permalink(last.root), setbot.FormatAge(reportEvery))))
		return o, nil
	}
	job := reportJob{Kind: kind, Week: ro.WeekOf(d.now()).Format(setbot.WeekLayout), Channel: r.msg.ChannelID, Root: r.msg.ThreadID()}
	return outcome{apply: func(tx *store.Tx) error {
		tx.OnCommit(func() { d.cycle.asked.note(job.Channel, kind, job.Root, tx.Now()) })
		_, err := tx.Enqueue(jobReport, string(r.msg.ID), job, time.Time{})
		return err
	}}, nil
}

// reportEvery bounds `@setbot report` in one channel: a report lists every
// open ticket, so a second one minutes later repeats the first and buries
// the channel. (At most once per 10 minutes per channel, by the issue that
// asked for it.)
const reportEvery = 10 * time.Minute

// reportsAsked remembers, for this process, the last report of each kind
// asked for in each channel and the thread it went to. A restart forgets
// them: the worst case is one report more. Safe for concurrent use.
type reportsAsked struct {
	mu   sync.Mutex
	last map[string]askedReport
}

type askedReport struct {
	at   time.Time
	root setbot.PostID
}

func reportKey(ch setbot.ChannelID, kind setbot.ReportKind) string {
	return string(ch) + "/" + kind.String()
}

// recent returns the report asked for in ch within reportEvery of now.
func (a *reportsAsked) recent(ch setbot.ChannelID, kind setbot.ReportKind, now time.Time) (askedReport, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	last, ok := a.last[reportKey(ch, kind)]
	return last, ok && now.Sub(last.at) < reportEvery
}

// note records a report asked for in ch, answered in root's thread, at at.
func (a *reportsAsked) note(ch setbot.ChannelID, kind setbot.ReportKind, root setbot.PostID, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == nil {
		a.last = map[string]askedReport{}
	}
	a.last[reportKey(ch, kind)] = askedReport{at: at, root: root}
}

// cycleReports is called on every timer tick: it claims and queues each
// configured report that is due (setbot.DueReport). The claim and the job
// are one transaction, so a restart neither repeats nor skips a report.
func (d *cycle) cycleReports(_ context.Context) {
	for _, kind := range setbot.ReportKinds {
		rt := d.cfg.Reports.at(kind)
		if rt == nil {
			continue
		}
		if err := d.claimReport(kind, *rt); err != nil {
			d.log.Error().Err(err).Stringer("report", kind).Msg("weekly report: claim")
		}
	}
}

func (d *cycle) claimReport(kind setbot.ReportKind, rt setbot.ReportTime) error {
	now := d.now()
	loc := d.cfg.Rotation.Location
	week := setbot.DueReport(rt, loc, now, "").Week
	sent := ""
	if _, ok, err := d.db.NoticeSent(noticeReport, kind.String(), week); err != nil {
		return err
	} else if ok {
		sent = week
	}
	dec := setbot.DueReport(rt, loc, now, sent)
	if !dec.Due {
		return nil
	}
	job := reportJob{Kind: kind, Week: dec.Week, Channel: d.cfg.SETChannel, Scheduled: true}
	if dec.Reason == setbot.ReportLate {
		job.Due = dec.At
	}
	claimed := false
	err := d.db.Update(now, func(tx *store.Tx) error {
		var err error
		if claimed, err = tx.ClaimNotice(noticeReport, kind.String(), dec.Week); err != nil || !claimed {
			return err
		}
		_, err = tx.Enqueue(jobReport, "", job, time.Time{})
		return err
	})
	if err == nil && claimed {
		d.log.Info().Stringer("report", kind).Str("week", dec.Week).Stringer("reason", dec.Reason).Msg("weekly report queued")
		d.kick()
	}
	return err
}

// actionCycleAssign prefixes the hand-over's "Assign all" button:
// "cycle:assign:<user>:<thread root or empty>:<KEY,KEY,…>". The action is
// signed by package bot, so a click can only carry what setbot offered.
const actionCycleAssign = "cycle:assign:"

// maxAssignAll bounds the tickets one button reassigns, so that its action
// stays small; the report lists the rest with their commands.
const maxAssignAll = 50

func assignAllAction(to setbot.Username, root setbot.PostID, keys []setbot.IssueKey) string {
	ks := make([]string, 0, len(keys))
	for _, k := range keys[:min(len(keys), maxAssignAll)] {
		ks = append(ks, string(k))
	}
	return actionCycleAssign + string(to) + ":" + string(root) + ":" + strings.Join(ks, ",")
}

func parseAssignAll(action string) (to setbot.Username, root setbot.PostID, keys []setbot.IssueKey, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(action, actionCycleAssign), ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", nil, false
	}
	for _, k := range strings.Split(parts[2], ",") {
		key, err := setbot.ParseIssueKey(k)
		if err != nil {
			return "", "", nil, false
		}
		keys = append(keys, key)
	}
	return setbot.Username(parts[0]), setbot.PostID(parts[1]), keys, true
}
