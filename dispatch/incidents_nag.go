package dispatch

import (
	"context"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// StatusSource tells when the playbook run linked to a channel last had a
// status update (implemented by package playbooks). found is false, with no
// error, when the server has no Playbooks or no run is linked.
type StatusSource interface {
	LastStatusUpdate(ctx context.Context, channelID string) (at time.Time, found bool, err error)
}

// Bounds of the reminder loop.
const (
	// playbooksEvery is how often one incident channel's playbook run is
	// asked for its last status update (issue 7: "at most every few
	// minutes").
	playbooksEvery = 5 * time.Minute
	// playbooksTimeout bounds one such question, so a slow server cannot
	// hold up the timer loop for long.
	playbooksTimeout = 10 * time.Second
	// nagIdle is the longest the loop goes without reading the incidents
	// when nothing changed and nothing is due: a safety net only.
	nagIdle = time.Hour
	// nagRetry is when a reminder whose claim failed is tried again.
	nagRetry = time.Minute
	// jiraEvery is how often one incident's ticket is asked for its newest
	// comment by a person, and only when a reminder is due: the same
	// spacing as Playbooks (issue 7, source 3).
	jiraEvery = playbooksEvery
	// jiraTimeout bounds one such question, like playbooksTimeout.
	jiraTimeout = playbooksTimeout
)

// nagPlan is what the timer loop remembers between ticks so that it reads
// the incidents only when something can be due. It is used by the timer
// loop only (no lock).
type nagPlan struct {
	version uint64    // the incidents' store version the plan was made from
	nextAt  time.Time // the earliest reminder or Playbooks question; zero: now
	asked   map[setbot.IssueKey]time.Time
	// jiraAsked is when each incident's ticket was last asked for its
	// newest comment by a person.
	jiraAsked map[setbot.IssueKey]time.Time
	// quiet is set once "no Playbooks run" was logged, so that a server
	// without the plugin logs it once, at debug level.
	quiet bool
	// doneAt is when sweepDone asks Jira about every open incident next.
	doneAt time.Time
}

// nagIncidents is called on every timer tick. It reads the open incidents
// only when one can be due (the plan's time came, or an incident changed),
// asks Playbooks about incident channels every few minutes, and claims each
// due reminder in the transaction that queues its post.
func (d *incidents) nagIncidents(ctx context.Context) {
	now := d.now()
	version, err := d.db.IncidentsVersion()
	if err != nil {
		d.log.Error().Err(err).Msg("incidents: read version")
		return
	}
	if version == d.nag.version && !d.nag.nextAt.IsZero() && now.Before(d.nag.nextAt) {
		return
	}
	open, err := d.db.OpenIncidentsInto(d.open)
	d.open = open
	if err != nil {
		d.log.Error().Err(err).Msg("incidents: read open incidents")
		return
	}
	next := now.Add(nagIdle)
	var shift *setbot.Shift
	d.nag.forget(open)
	jiraDown := false // one failed Jira question per tick is enough
	for _, in := range open {
		if at, ok := d.askPlaybooks(ctx, in, now); ok {
			next = earliestOf(next, at)
		}
		n := setbot.RemindNow(in, d.cfg.Incidents, now)
		if !n.Remind {
			next = earliestOf(next, n.Next)
			continue
		}
		if d.commentedInJira(ctx, in, now, &jiraDown) {
			continue // the comment is an update: the next tick plans from it
		}
		if d.stopIfDone(ctx, in, &jiraDown) {
			continue
		}
		if shift == nil {
			s, err := d.shift()
			if err != nil {
				d.log.Error().Err(err).Msg("incidents: roster")
			}
			shift = &s
		}
		if !d.remind(in.Key, *shift) {
			next = earliestOf(next, now.Add(nagRetry))
		}
	}
	// Reminding and Playbooks updates change the version: the next tick
	// plans again from what they wrote.
	d.nag.version, d.nag.nextAt = version, next
}

// forget drops the Playbooks and Jira question times of incidents no
// longer open.
func (p *nagPlan) forget(open []setbot.Incident) {
	p.asked = keepOpen(p.asked, open)
	p.jiraAsked = keepOpen(p.jiraAsked, open)
}

// keepOpen is times without the incidents that are not in open.
func keepOpen(times map[setbot.IssueKey]time.Time, open []setbot.Incident) map[setbot.IssueKey]time.Time {
	if len(times) == 0 {
		return times
	}
	keep := make(map[setbot.IssueKey]time.Time, len(open))
	for _, in := range open {
		if at, ok := times[in.Key]; ok {
			keep[in.Key] = at
		}
	}
	return keep
}

// earliestOf is the earlier of a and b, ignoring a zero b.
func earliestOf(a, b time.Time) time.Time {
	if !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// remind claims the incident's due reminder and queues its post in one
// transaction, so that a restart neither repeats nor skips it. The reason
// is logged with it. ok is false when the store failed.
func (d *incidents) remind(key setbot.IssueKey, shift setbot.Shift) (ok bool) {
	var (
		in      setbot.Incident
		n       setbot.Nag
		claimed bool
		owner   setbot.Username
	)
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		var err error
		in, n, claimed, err = tx.ClaimReminder(key, d.cfg.Incidents)
		if err != nil || !claimed {
			return err
		}
		owner = in.Mention(shift.Primary)
		text := setbot.ReminderText(in, n, owner, shift.Lead, tx.Now())
		return enqueueIncidentPost(tx, incidentPost{Key: key, Where: whereIncident, Text: text, Buttons: setbot.SnoozeButtons(key)})
	})
	if err != nil {
		d.log.Error().Err(err).Str("issue", string(key)).Msg("incidents: claim reminder")
		return false
	}
	if !claimed {
		return true
	}
	d.ext.Meter.Reminded(n.MentionLead)
	ev := d.log.Info().Str("issue", string(key)).Str("reason", n.Reason.String()).Int("reminder", in.Reminders).
		Str("owner", string(owner)).Time("next", n.Next)
	if n.MentionLead {
		ev = ev.Str("lead", string(shift.Lead))
	}
	ev.Msg("incident reminder")
	d.kick()
	return true
}

// askPlaybooks asks, when it is time, for the last status update of the
// playbook run linked to the incident's channel, and records a newer one
// as an update. It returns when to ask next (ok=false: never).
func (d *incidents) askPlaybooks(ctx context.Context, in setbot.Incident, now time.Time) (time.Time, bool) {
	if in.Channel == "" || d.ext.Playbooks == nil {
		return time.Time{}, false
	}
	if d.nag.asked == nil {
		d.nag.asked = map[setbot.IssueKey]time.Time{}
	}
	if last, ok := d.nag.asked[in.Key]; ok && now.Before(last.Add(playbooksEvery)) {
		return last.Add(playbooksEvery), true
	}
	d.nag.asked[in.Key] = now
	log := d.log.With().Str("issue", string(in.Key)).Str("channel_id", string(in.Channel)).Logger()
	qctx, cancel := context.WithTimeout(ctx, playbooksTimeout)
	at, found, err := d.ext.Playbooks.LastStatusUpdate(qctx, string(in.Channel))
	cancel()
	switch {
	case err != nil:
		log.Warn().Err(err).Msg("incidents: Playbooks did not answer; asking again later")
	case !found || at.IsZero():
		if !d.nag.quiet {
			d.nag.quiet = true
			log.Debug().Msg("incidents: no Playbooks status update for the incident channel (no run, or no Playbooks plugin); other update sources still count")
		}
	default:
		if _, changed, err := d.db.RecordUpdate(in.Key, at); err != nil {
			log.Error().Err(err).Msg("incidents: record Playbooks update")
		} else if changed {
			log.Info().Time("at", at).Msg("incidents: status update from Playbooks")
		}
	}
	return now.Add(playbooksEvery), true
}

// commentedInJira is asked when in's reminder is due. At most every
// jiraEvery per incident, and while Jira answers this tick (down), it asks
// the ticket for its newest comment by a person (setbot's own comments,
// which echo updates already recorded, are not counted); a comment newer
// than the last update is recorded as one. It reports whether that pushed
// the reminder back. Jira's errors are logged as warnings and never hold a
// reminder up.
func (d *incidents) commentedInJira(ctx context.Context, in setbot.Incident, now time.Time, down *bool) bool {
	cr, ok := d.ext.Tracker.(setbot.CommentReader)
	if !ok || *down {
		return false
	}
	if last, ok := d.nag.jiraAsked[in.Key]; ok && now.Before(last.Add(jiraEvery)) {
		return false
	}
	if d.nag.jiraAsked == nil {
		d.nag.jiraAsked = map[setbot.IssueKey]time.Time{}
	}
	d.nag.jiraAsked[in.Key] = now
	log := d.log.With().Str("issue", string(in.Key)).Logger()
	qctx, cancel := context.WithTimeout(ctx, jiraTimeout)
	at, by, found, err := cr.LastHumanComment(qctx, in.Key)
	cancel()
	if err != nil {
		*down = true
		log.Warn().Err(err).Msg("incidents: Jira did not say who last commented; reminding without it")
		return false
	}
	if !found || !at.After(in.LastUpdate) {
		return false
	}
	at = earliestOf(at, now) // a Jira clock ahead of ours must not postpone reminders
	got, changed, err := d.db.RecordUpdate(in.Key, at)
	if err != nil {
		log.Error().Err(err).Msg("incidents: record a Jira comment as an update")
		return false
	}
	if !changed {
		return false
	}
	log.Info().Time("at", at).Str("by", string(by)).Msg("incidents: status update from a Jira comment")
	return !setbot.RemindNow(got, d.cfg.Incidents, now).Remind
}
