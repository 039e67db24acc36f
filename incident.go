package setbot

import (
	"fmt"
	"strings"
	"time"
)

// DefaultUpdateEvery is how long an L1/L2 incident may go without a status
// update when [incidents] update_every does not say: the seed asks for
// updates "at least daily".
const DefaultUpdateEvery = 24 * time.Hour

// Snooze lengths offered on a reminder's buttons (issue 7: "Snooze 1h / 4h").
const (
	SnoozeShort = time.Hour
	SnoozeLong  = 4 * time.Hour
)

// Incident is a tracked L1/L2 ticket whose status must be updated regularly.
// The reminder fields change only through Reminded, Updated, Snoozed and
// Resolve, so that the decision in RemindNow sees a consistent history.
type Incident struct {
	Key          IssueKey
	Priority     Priority
	Title        string
	Channel      ChannelID // the incident's own channel (a playbook run's), if any
	Root         PostID    // its thread in ~sustained-engineering
	Owner        Username  // the ticket's assignee; "" means the SET primary
	Reporter     UserID    // who reported it through an intake, if anyone: they may post updates
	Opened       time.Time // when tracking started
	LastUpdate   time.Time // the newest status update from any source
	LastReminder time.Time
	Reminders    int       // reminders sent since tracking started: numbers the next one
	EscalatedAt  time.Time // when the lead was last mentioned
	SnoozedUntil time.Time
	Resolved     bool
	ResolvedAt   time.Time
}

// Mention returns who a reminder mentions: the assignee, else the primary.
func (in Incident) Mention(primary Username) Username {
	if in.Owner != "" {
		return in.Owner
	}
	return primary
}

// since is when the incident last had news: its last update, else when
// tracking started.
func (in Incident) since() time.Time {
	if in.LastUpdate.After(in.Opened) {
		return in.LastUpdate
	}
	return in.Opened
}

// NagPolicy is [incidents]: how often an update is due per priority, and how
// long after that the SET lead is mentioned too.
type NagPolicy struct {
	Every   map[Priority]time.Duration // per priority; missing: Default
	Default time.Duration              // 0: DefaultUpdateEvery
	Grace   time.Duration              // after an update is due, until the lead is mentioned; 0: never
}

// Interval is how long an incident of priority p may go without an update.
func (p NagPolicy) Interval(pr Priority) time.Duration {
	if d := p.Every[pr]; d > 0 {
		return d
	}
	if p.Default > 0 {
		return p.Default
	}
	return DefaultUpdateEvery
}

// NagReason says why RemindNow decided what it did; it is logged with every
// reminder. Values only ever grow.
type NagReason int

const (
	NagNotDue        NagReason = iota // tracked recently, no update due yet
	NagUpToDate                       // updated recently
	NagWaitingRepeat                  // reminded; the next reminder waits one interval
	NagSnoozed                        // somebody snoozed the reminders
	NagResolved                       // resolved incidents are never nagged
	NagFirstReminder                  // no update within the interval: first reminder
	NagRepeat                         // still no update, one interval after the last reminder
	NagSnoozeEnded                    // the snooze is over and still no update
	NagEscalateLead                   // still no update after the grace period: mention the lead
)

var nagReasonNames = [...]string{
	NagNotDue:        "not due yet",
	NagUpToDate:      "updated recently",
	NagWaitingRepeat: "reminded, waiting for the next interval",
	NagSnoozed:       "snoozed",
	NagResolved:      "resolved",
	NagFirstReminder: "first reminder",
	NagRepeat:        "repeat reminder",
	NagSnoozeEnded:   "snooze ended",
	NagEscalateLead:  "grace period over, mentioning the lead",
}

// String names the reason for logs.
func (r NagReason) String() string {
	if r < 0 || int(r) >= len(nagReasonNames) {
		return fmt.Sprintf("NagReason(%d)", int(r))
	}
	return nagReasonNames[r]
}

// Nag is RemindNow's answer. When Remind is set, post one reminder now that
// mentions the owner, and the SET lead too when MentionLead is set. Next is
// when to ask again if no reminder is posted now (zero: never).
type Nag struct {
	Remind      bool
	MentionLead bool
	Reason      NagReason
	Next        time.Time
}

// RemindNow decides whether an incident needs a reminder now. It is pure: a
// restart that reloads the incident decides the same. Rules:
//   - a resolved incident is never nagged;
//   - the first reminder comes one interval (per priority) after the last
//     update, or after tracking started when there was none;
//   - reminders repeat at most once per interval;
//   - a snooze holds everything until it ends, and then reminds again;
//   - the grace period after the first due time (pushed back by a snooze)
//     adds the lead, once; later repeats keep mentioning the lead;
//   - an update starts everything over.
func RemindNow(in Incident, p NagPolicy, now time.Time) Nag {
	if in.Resolved {
		return Nag{Reason: NagResolved}
	}
	every := p.Interval(in.Priority)
	base := in.since()
	stale := base.Add(every)
	reminded := in.LastReminder.After(base)
	escalated := in.EscalatedAt.After(base)
	snoozed := in.SnoozedUntil.After(base) && in.SnoozedUntil.After(in.LastReminder)

	remindAt := stale
	if reminded {
		remindAt = in.LastReminder.Add(every)
	}
	if snoozed {
		remindAt = later(stale, in.SnoozedUntil)
	}
	var leadAt time.Time // zero: no escalation pending
	if p.Grace > 0 && !escalated {
		leadAt = stale.Add(p.Grace)
		if snoozed {
			leadAt = later(leadAt, in.SnoozedUntil)
		}
	}
	next := earliest(remindAt, leadAt)

	if snoozed && now.Before(in.SnoozedUntil) {
		return Nag{Reason: NagSnoozed, Next: next}
	}
	leadDue := !leadAt.IsZero() && !now.Before(leadAt)
	if now.Before(remindAt) && !leadDue {
		reason := NagNotDue
		switch {
		case reminded:
			reason = NagWaitingRepeat
		case in.LastUpdate.After(in.Opened):
			reason = NagUpToDate
		}
		return Nag{Reason: reason, Next: next}
	}
	n := Nag{Remind: true, MentionLead: leadDue || escalated}
	switch {
	case leadDue:
		n.Reason = NagEscalateLead
	case !reminded:
		n.Reason = NagFirstReminder
	case snoozed:
		n.Reason = NagSnoozeEnded
	default:
		n.Reason = NagRepeat
	}
	// Once this reminder is recorded the next one is an interval away, or
	// the lead's turn if that comes first.
	n.Next = now.Add(every)
	if !leadDue && !leadAt.IsZero() && leadAt.Before(n.Next) {
		n.Next = leadAt
	}
	return n
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earliest of a and b, ignoring a zero b.
func earliest(a, b time.Time) time.Time {
	if !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// Reminded records a reminder that RemindNow asked for, posted at now. It
// returns ok=false, and in unchanged, when n asks for none or the incident
// is resolved.
func (in Incident) Reminded(n Nag, now time.Time) (Incident, bool) {
	if !n.Remind || in.Resolved {
		return in, false
	}
	in.LastReminder = now
	in.Reminders++
	if n.Reason == NagEscalateLead {
		in.EscalatedAt = now
	}
	return in, true
}

// Updated records a status update made at at. Updates only move forward: an
// older one (a Playbooks status seen late) changes nothing and ok is false.
func (in Incident) Updated(at time.Time) (Incident, bool) {
	if !at.After(in.LastUpdate) {
		return in, false
	}
	in.LastUpdate = at
	return in, true
}

// Snoozed holds reminders until until.
func (in Incident) Snoozed(until time.Time) Incident {
	in.SnoozedUntil = until
	return in
}

// Resolve stops tracking. ok is false when it was already resolved.
func (in Incident) Resolve(at time.Time) (Incident, bool) {
	if in.Resolved {
		return in, false
	}
	in.Resolved, in.ResolvedAt = true, at
	return in, true
}

// UpdateCommand is the exact command that posts an update for key.
func UpdateCommand(key IssueKey) string {
	return fmt.Sprintf("@setbot update %s <what changed, what is next>", key)
}

// snoozePrefix starts the button action of a snooze: "snooze:SET-12:1h0m0s".
const snoozePrefix = "snooze:"

// SnoozeButtons are the buttons of a reminder.
func SnoozeButtons(key IssueKey) []Button {
	return []Button{
		{Label: "Snooze 1h", Action: snoozePrefix + string(key) + ":" + SnoozeShort.String()},
		{Label: "Snooze 4h", Action: snoozePrefix + string(key) + ":" + SnoozeLong.String()},
	}
}

// ParseSnoozeAction reads a snooze button's action. Only the lengths the
// buttons offer are accepted.
func ParseSnoozeAction(action string) (IssueKey, time.Duration, bool) {
	rest, ok := strings.CutPrefix(action, snoozePrefix)
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", 0, false
	}
	d, err := time.ParseDuration(rest[i+1:])
	if err != nil || (d != SnoozeShort && d != SnoozeLong) {
		return "", 0, false
	}
	return IssueKey(rest[:i]), d, true
}

// ReminderText is the reminder posted in the incident's thread: it mentions
// owner (and lead when n.MentionLead), says how long since the last update,
// and gives the exact command to post one.
func ReminderText(in Incident, n Nag, owner, lead Username, now time.Time) string {
	var b strings.Builder
	if owner != "" {
		fmt.Fprintf(&b, "@%s ", owner)
	}
	if n.MentionLead && lead != "" && lead != owner {
		fmt.Fprintf(&b, "@%s ", lead)
	}
	if in.LastUpdate.IsZero() {
		fmt.Fprintf(&b, "%s (%s) has had no status update since it was tracked %s ago.", in.Key, in.Priority, FormatAge(now.Sub(in.Opened)))
	} else {
		fmt.Fprintf(&b, "%s (%s) has had no status update for %s.", in.Key, in.Priority, FormatAge(now.Sub(in.LastUpdate)))
	}
	if n.MentionLead {
		b.WriteString(" SET lead, please make sure somebody picks this up.")
	}
	fmt.Fprintf(&b, "\nPost one with `%s` (or comment on the Jira ticket, or post a Playbooks status update in the incident channel).", UpdateCommand(in.Key))
	return b.String()
}

// IncidentLine is one line of "@setbot incidents".
func IncidentLine(in Incident, now time.Time) string {
	last := "no update yet, tracked " + FormatAge(now.Sub(in.Opened)) + " ago"
	if !in.LastUpdate.IsZero() {
		last = "last update " + FormatAge(now.Sub(in.LastUpdate)) + " ago"
	}
	owner := "owner: SET primary"
	if in.Owner != "" {
		owner = "owner: `@" + string(in.Owner) + "`" // named, not notified
	}
	line := fmt.Sprintf("%s (%s) — %s, %s", in.Key, in.Priority, last, owner)
	if in.Title != "" {
		line += " — " + oneLine(in.Title, summaryRunes)
	}
	return line
}

// FormatAge writes a duration the way people say it: "45m", "3h 20m", "2d 4h".
func FormatAge(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	}
	return fmt.Sprintf("%dm", mins)
}
