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

// Issue 6: automatic pages for urgent intakes, and gap reports to the leads.

// jobPageThread posts the first post of an automatic page in
// ~sustained-engineering and records it as the page's thread; the ladder
// starts once it has one. Payload: pageThread. Persisted: never rename.
const jobPageThread = "page-thread"

// pageThread is the payload of a jobPageThread job.
type pageThread struct {
	Page string `json:"page"`
}

// autoPageID is the id of the automatic page of an intake: derived from its
// fingerprint, so that an intake pages at most once.
func autoPageID(in setbot.Intake) string { return "auto-" + in.Fingerprint() }

// autoPageIntake is called in the transaction where an intake becomes L1
// (L2 too with [escalation] page_l2), and again where it is confirmed for
// filing: it pages SET once per intake, with what is known so far. The
// page is stored with the step, and its thread is opened by a job.
func (d *paging) autoPageIntake(tx *store.Tx, in setbot.Intake) error {
	if !setbot.AutoPage(in.Priority, d.cfg.PageL2) {
		return nil
	}
	text := fmt.Sprintf("%s intake from @%s: %s", in.Priority, in.Username, in.Summary)
	for _, part := range [][2]string{{"customer", in.Customer}, {"affected", in.Affected}} {
		if part[1] != "" {
			text += fmt.Sprintf(" (%s: %s)", part[0], part[1])
		}
	}
	p := setbot.Page{ID: autoPageID(in), Channel: d.cfg.SETChannel, By: in.Username, Created: tx.Now(), Text: text}
	if err := tx.AddPage(p); err != nil {
		if setbot.ErrorCode(err) == setbot.EConflict {
			return nil // paged already: a confirmation replayed
		}
		return err
	}
	tx.OnCommit(d.passSoon)
	d.log.Info().Str("page", p.ID).Str("intake", in.ID).Str("priority", in.Priority.String()).Msg("automatic page")
	_, err := tx.Enqueue(jobPageThread, p.ID, pageThread{Page: p.ID}, time.Time{})
	return err
}

// runPageThread opens an automatic page's thread. The post's idempotency key
// is the job's, so a retry after a crash does not post twice.
func runPageThread(ctx context.Context, d *core, j store.Job, pt pageThread) error {
	p, ok, err := d.db.Page(pt.Page)
	if err != nil || !ok || p.Root != "" {
		return err // gone (pruned) or opened already
	}
	text := fmt.Sprintf("**Automatic page**: %s\nThe SET primary is paged in this thread (then the backup, then the lead, every %s until someone acknowledges). The ticket's link follows here.",
		quoteInline(p.Text), d.ackWithin())
	root, err := d.postOnce(ctx, j, setbot.Reply{ChannelID: p.Channel, Text: text}, jobKey(j))
	if err != nil {
		return err
	}
	return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
		p, changed, err := tx.SetPageRoot(p.ID, root)
		if err != nil || !changed || p.Issue == "" {
			return err
		}
		return enqueueReplies(tx, []setbot.Reply{filedReply(p)}) // filed before the thread opened
	})
}

// pageFiled is called in the transaction that records a filed ticket: the
// intake's automatic page, if any, records the ticket and posts its link in
// the page's thread (or, when the thread is not open yet, the job that opens
// it does).
//
// inThread is false when the incident's announcement already brings the
// link to the page's thread (they share it).
func (d *paging) pageFiled(tx *store.Tx, in setbot.Intake, issue setbot.Issue, inThread bool) error {
	p, ok, err := tx.Page(autoPageID(in))
	if err != nil || !ok || p.Issue == issue.Key {
		return err
	}
	p, _, err = tx.SetPageIssue(p.ID, issue.Key, issue.URL)
	if err != nil || p.Root == "" {
		return err
	}
	if inThread {
		if err := enqueueReplies(tx, []setbot.Reply{filedReply(p)}); err != nil {
			return err
		}
	}
	if p.Step == setbot.StepNone || p.Acked() {
		return nil
	}
	// Somebody was paged before the ticket existed: tell them its link.
	_, err = tx.Enqueue(jobPageTicket, p.ID, pageTicket{Page: p.ID}, tx.Now())
	return err
}

func filedReply(p setbot.Page) setbot.Reply {
	return setbot.Reply{ChannelID: p.Channel, RootID: p.Root, Text: "Ticket filed: " + ticketLink(p) + "."}
}

// Gap reports.
const (
	// gapCheckEvery is how often the rotation is checked for gaps: a gap is
	// reported weeks ahead, so a few hours late is early enough.
	gapCheckEvery = 6 * time.Hour
	// gapRetry is when to check again after Mattermost did not answer.
	gapRetry = 10 * time.Minute
	// noticeGap is the notification kind of a gap report: gap/<week>/<role>/<what>.
	noticeGap = "gap"
)

// reportGaps is called on every timer tick. At start-up and then every
// gapCheckEvery, it looks at the current and coming weeks for seats with
// nobody, or with somebody who no longer exists or was deactivated, and
// reports each gap once in ~sustained-engineering to the people who can fix
// it, with the command that does. A rotation with no weeks configured is
// not in use and is not reported.
func (d *rotation) reportGaps(ctx context.Context) {
	now := d.now()
	if now.Before(d.gapsAt) || len(d.cfg.Rotation.Weeks) == 0 && d.cfg.Rotation.Pattern == nil {
		return
	}
	d.gapsAt = now.Add(gapCheckEvery)
	ro, err := d.roster()
	if err != nil {
		d.log.Error().Err(err).Msg("gaps: roster")
		d.gapsAt = now.Add(gapRetry)
		return
	}
	d.pinListed(ctx, ro)
	exists, err := d.existing(ctx, slices.Concat(ro.Users(now, upcomingWeeks), d.cfg.Rotation.Admins, d.ext.JiraAccounts))
	if err != nil {
		d.log.Warn().Err(err).Msg("gaps: cannot look up the people on the rotation; trying again later")
		d.gapsAt = now.Add(gapRetry)
		return
	}
	gaps := ro.Gaps(now, upcomingWeeks, func(u setbot.Username) bool { return exists[u] })
	var lost []listedName // listed people without an active account
	for _, l := range []struct {
		names []setbot.Username
		as    string
	}{{d.cfg.Rotation.Admins, "admin"}, {d.ext.JiraAccounts, "account"}} {
		for _, n := range l.names {
			if !exists[n] {
				lost = append(lost, listedName{n, l.as})
			}
		}
	}
	if len(gaps) == 0 && len(lost) == 0 {
		return
	}
	leads := ro.Changers(d.cfg.Rotation.Admins, now)
	err = d.db.Update(now, func(tx *store.Tx) error {
		var replies []setbot.Reply
		for _, l := range lost {
			claimed, err := tx.ClaimNotice(noticeGap, l.as+"/"+string(l.name), "missing")
			if err != nil {
				return err
			}
			if claimed {
				d.log.Warn().Str("username", string(l.name)).Str("listed_as", l.as).Msg("a listed person has no active account")
				replies = append(replies, setbot.Reply{ChannelID: d.cfg.SETChannel, Text: l.text()})
			}
		}
		var fresh []setbot.Gap
		for _, g := range gaps {
			claimed, err := tx.ClaimNotice(noticeGap, g.WeekStart.Format(setbot.WeekLayout)+"/"+g.Role.String(), gapWhat(g))
			if err != nil {
				return err
			}
			if claimed {
				d.log.Info().Str("gap", g.String()).Msg("reporting a rotation gap")
				fresh = append(fresh, g)
			}
		}
		if len(fresh) > 0 { // one post per check, however many gaps
			replies = append(replies, setbot.Reply{ChannelID: d.cfg.SETChannel, Text: d.gapsText(fresh, leads)})
		}
		return enqueueReplies(tx, replies)
	})
	if err != nil {
		d.log.Error().Err(err).Msg("gaps: record reports")
		d.gapsAt = now.Add(gapRetry)
		return
	}
	d.kick()
}

// listedName is a person setbot's config lists, and as what.
type listedName struct {
	name setbot.Username
	as   string // "admin" ([rotation] admins) or "account" ([jira.accounts])
}

// text reports, to whoever runs setbot, that the name has no account.
func (l listedName) text() string {
	if l.as == "account" {
		return fmt.Sprintf("setbot's config maps `@%s` to a Jira account, but there is no active Mattermost account by that name, so tickets are never assigned to them through it. Whoever runs setbot: fix `[jira.accounts]`.", l.name)
	}
	return fmt.Sprintf("setbot's config names `@%s` as a rotation admin, but there is no active Mattermost account by that name, so nobody has that admin's rights. Whoever runs setbot: fix `[rotation] admins`.", l.name)
}

// pinListed resolves every name the rotation and the admins list, so that
// rights are pinned to the accounts those names have now (people.go).
func (d *rotation) pinListed(ctx context.Context, ro setbot.Roster) {
	for _, u := range append(ro.Users(d.now().AddDate(0, 0, -7), upcomingWeeks+1), d.cfg.Rotation.Admins...) {
		d.idOf(ctx, u)
	}
}

// existing looks up users: true for an account that exists and is active.
// An answer other than "no such user" is an error: no gap is reported on a
// guess.
func (d *rotation) existing(ctx context.Context, users []setbot.Username) (map[setbot.Username]bool, error) {
	out := make(map[setbot.Username]bool, len(users))
	for _, name := range users {
		u, err := d.chat.UserByName(ctx, name)
		switch {
		case err == nil:
			out[name] = !u.Deleted
		case setbot.ErrorCode(err) == setbot.ENotFound:
			out[name] = false
		default:
			return nil, fmt.Errorf("look up @%s: %w", name, err)
		}
	}
	return out, nil
}

// gapWhat tells gaps of one seat apart, so a seat that had nobody and later
// somebody who left is reported both times.
func gapWhat(g setbot.Gap) string {
	if g.Kind == setbot.GapUnknownUser {
		return "unknown:" + string(g.User)
	}
	return "nobody"
}

// gapsText is one post to the people who can fix gaps, listing each gap
// with the command that fills it.
func (d *rotation) gapsText(gaps []setbot.Gap, leads []setbot.Username) string {
	to := "Rotation leads"
	if len(leads) > 0 {
		to = mentions(leads)
	}
	lines := []string{to + ": the SET rotation has gaps in the coming weeks:"}
	if len(gaps) == 1 {
		lines[0] = to + ": the SET rotation has a gap in the coming weeks:"
	}
	for _, g := range gaps {
		week := g.WeekStart.Format(setbot.WeekLayout)
		what := fmt.Sprintf("nobody is the SET %s", g.Role)
		if g.Kind == setbot.GapUnknownUser {
			what = fmt.Sprintf("the SET %s, `@%s`, has no active Mattermost account (it does not exist or was deactivated)", g.Role, g.User)
		}
		lines = append(lines, fmt.Sprintf("- the week of %s: %s. Fix it with `@%s override %s %s @someone`.", week, what, d.cfg.Bot.Username, week, g.Role))
	}
	if len(leads) == 0 {
		lines = append(lines, "Nobody is configured to fix it: set `[rotation] admins` in setbot's config.")
	}
	return strings.Join(lines, "\n")
}
