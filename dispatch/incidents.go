package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Issue 7 (L1/L2 incidents) lives in this file and incidents_nag.go: the
// commands that track, update, list and resolve incidents, the tracking of
// L1/L2 tickets filed through setbot, and the Snooze buttons. The reminders
// themselves are in incidents_nag.go.

// incidentCommands are the incident commands of the command table.
func incidentCommands() []command {
	return []command{
		{name: "incident", usage: "incident KEY [L1|L2] [~channel] [@owner]", where: anywhere, run: runTrackIncident,
			summary: "track a ticket as an L1/L2 incident (L2 unless you say L1): I remind its owner when a status update is due"},
		{name: "update", usage: "update KEY <what changed, what is next>", where: everywhere, run: runIncidentUpdate,
			summary: "post an incident's status update: I record it, add it to the Jira ticket and echo it in the incident's thread"},
		{name: "incidents", usage: "incidents", where: anywhere, run: runListIncidents,
			summary: "list the tracked incidents with the age of each one's last update"},
		{name: "resolve", usage: "resolve KEY", where: anywhere, run: runResolveIncident,
			summary: "stop tracking an incident (no more reminders)"},
	}
}

// keyArg is the key that must start a command's arguments.
// keyArg reads the command's issue key and checks that the person who typed
// it may act on that incident (update: the wider right of posting updates).
func (d *Dispatcher) keyArg(ctx context.Context, r request, update bool) (setbot.IssueKey, error) {
	if len(r.args) == 0 {
		return "", setbot.Errorf(setbot.EInvalid, "Which ticket? Use `%s`.", usageOf(r))
	}
	key, err := d.issueKey(r.args[0])
	if err != nil {
		return "", err
	}
	return key, d.checkIncidentRight(ctx, r.msg.UserID, key, update)
}

func usageOf(r request) string {
	for _, c := range incidentCommands() {
		if c.name == r.name {
			return "@setbot " + c.usage
		}
	}
	return "@setbot help"
}

// incidentOutcome runs fn in the post's transaction and replies with the
// sentence it returns. A person-safe error (anything but EInternal) becomes
// the reply instead: fn must check before it writes.
func (d *Dispatcher) incidentOutcome(m setbot.Message, fn func(tx *store.Tx) (string, error)) outcome {
	return outcome{apply: func(tx *store.Tx) error {
		text, err := fn(tx)
		if err != nil && setbot.ErrorCode(err) != setbot.EInternal {
			text, err = setbot.ErrorMessage(err), nil
		}
		if err != nil {
			return err
		}
		return enqueueReplies(tx, []setbot.Reply{d.replyTo(m, text)})
	}}
}

// trackArgs are the words after the key of "incident KEY …".
type trackArgs struct {
	priority setbot.Priority
	channel  string
	owner    setbot.Username
}

func parseTrackArgs(words []string) (trackArgs, error) {
	var a trackArgs // priority unset: the ticket's L1/L2, else L2
	for _, w := range words {
		switch {
		case strings.HasPrefix(w, "~"):
			a.channel = w
		case strings.HasPrefix(w, "@"):
			a.owner = setbot.Username(strings.TrimPrefix(w, "@"))
		default:
			p, err := setbot.ParsePriority(w)
			if err != nil {
				return a, setbot.Errorf(setbot.EInvalid, "I don't understand %q: say L1 or L2, a ~channel or an @owner after the key.", w)
			}
			if !p.Urgent() {
				return a, setbot.Errorf(setbot.EInvalid, "Only L1 and L2 tickets are tracked as incidents (they need daily updates); %s is not.", p)
			}
			a.priority = p
		}
	}
	return a, nil
}

// runTrackIncident is "incident KEY [L1|L2] [~channel] [@owner]". The ticket
// is read from Jira for its title, and for its level and assignee when they
// are not given, when Jira answers; tracking works without (as L2, owned by
// the SET primary).
func runTrackIncident(ctx context.Context, d *Dispatcher, r request) (outcome, error) {
	key, err := d.keyArg(ctx, r, false)
	if err != nil {
		return outcome{}, err
	}
	args, err := parseTrackArgs(r.args[1:])
	if err != nil {
		return outcome{}, err
	}
	in := setbot.Incident{Key: key, Priority: args.priority, Owner: args.owner}
	if r.msg.Kind == setbot.ChannelSET {
		in.Root = r.msg.ThreadID() // this thread is where its updates and reminders go
	}
	if args.channel != "" {
		if in.Channel, err = d.chat.ChannelByName(ctx, args.channel); err != nil {
			return outcome{}, err
		}
	}
	note := ""
	switch issue, err := d.getIssue(ctx, key); {
	case err == nil:
		in.Title = issue.Summary
		if in.Priority == setbot.PriorityUnset && issue.Priority.Urgent() {
			in.Priority = issue.Priority
		}
		if in.Owner == "" {
			in.Owner = issue.Assignee // "" (nobody, or no Mattermost name): the SET primary
		}
	case setbot.ErrorCode(err) == setbot.EUnavailable:
		note = " (Jira did not answer, so I could not read its title.)"
	default:
		return outcome{}, err
	}
	if in.Priority == setbot.PriorityUnset {
		in.Priority = setbot.L2
	}
	return d.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
		text, err := d.track(tx, in, r.msg, args.priority != setbot.PriorityUnset)
		return text + note, err
	}), nil
}

// getIssue reads a ticket; without a Tracker it is EUnavailable.
func (d *Dispatcher) getIssue(ctx context.Context, key setbot.IssueKey) (setbot.Issue, error) {
	if d.ext.Tracker == nil {
		return setbot.Issue{}, setbot.Errorf(setbot.EUnavailable, "Jira is not configured.")
	}
	return d.ext.Tracker.Get(ctx, key)
}

// track starts tracking in, or changes the channel, owner or (when typed,
// so that a Jira outage never quietly lowers an L1) priority of an incident
// already tracked.
func (d *Dispatcher) track(tx *store.Tx, in setbot.Incident, m setbot.Message, typedLevel bool) (string, error) {
	got, started, err := tx.TrackIncident(in)
	if err != nil {
		return "", err
	}
	every := setbot.FormatAge(d.cfg.Incidents.Interval(got.Priority))
	if started {
		d.log.Info().Str("issue", string(in.Key)).Str("priority", in.Priority.String()).Str("by", string(m.Username)).Msg("incident tracked")
		return fmt.Sprintf("Tracking %s (%s) as an incident. A status update is due every %s; post one with `%s`.",
			in.Key, in.Priority, every, setbot.UpdateCommand(in.Key)), nil
	}
	got, err = tx.EditIncident(in.Key, func(old setbot.Incident) setbot.Incident {
		if typedLevel {
			old.Priority = in.Priority
		}
		if in.Channel != "" {
			old.Channel = in.Channel
		}
		if in.Owner != "" {
			old.Owner = in.Owner
		}
		if in.Title != "" {
			old.Title = in.Title
		}
		return old
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s is already tracked; it is now %s with an update due every %s.", in.Key, got.Priority,
		setbot.FormatAge(d.cfg.Incidents.Interval(got.Priority))), nil
}

// runIncidentUpdate is "update KEY <text>": the update is recorded, added to
// the ticket as a Jira comment by a durable job (a Jira outage delays it but
// does not lose it) and echoed in the incident's thread.
func runIncidentUpdate(ctx context.Context, d *Dispatcher, r request) (outcome, error) {
	key, err := d.keyArg(ctx, r, true)
	if err != nil {
		return outcome{}, err
	}
	_, text, _ := strings.Cut(r.rest, " ")
	text = strings.TrimSpace(text)
	if text == "" {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Say what changed and what is next: `%s`.", setbot.UpdateCommand(key))
	}
	return d.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
		in, _, err := tx.RecordUpdate(key, tx.Now())
		if err != nil {
			return "", err
		}
		by := r.msg.Username
		if err := enqueueComment(tx, incidentComment{Key: key, By: by, Text: text}); err != nil {
			return "", err
		}
		inThread := r.msg.ChannelID == d.cfg.SETChannel && in.Root != "" && r.msg.ThreadID() == in.Root
		if !inThread {
			echo := fmt.Sprintf("Status update on %s from %s: %s", key, quoteName(by), quoteInline(text))
			if err := enqueueIncidentPost(tx, incidentPost{Key: key, Where: whereThread, Text: echo}); err != nil {
				return "", err
			}
		}
		if in.Resolved {
			return fmt.Sprintf("Recorded the update on %s and added it to the Jira ticket. (It is resolved, so there are no reminders.)", key), nil
		}
		return fmt.Sprintf("Thanks, recorded the update on %s; it goes to the Jira ticket as a comment. The next one is due in %s.",
			key, setbot.FormatAge(d.cfg.Incidents.Interval(in.Priority))), nil
	}), nil
}

// quoteName names a person without mentioning them.
func quoteName(u setbot.Username) string {
	if u == "" {
		return "someone"
	}
	return "@\u200d" + string(u)
}

// listReserve keeps room in the incidents list for its header and the
// "and N more" line, within a post's limit (setbot.MaxPostRunes).
const listReserve = 200

// runListIncidents is "incidents": open incidents by key, with the age of
// each last update, cut to fit one post.
func runListIncidents(_ context.Context, d *Dispatcher, r request) (outcome, error) {
	open, err := d.db.OpenIncidents()
	if err != nil {
		return outcome{}, err
	}
	var o outcome
	o.say(d.replyTo(r.msg, incidentList(open, d.now())))
	return o, nil
}

// incidentList formats the list, oldest news first so that the most
// overdue incident leads.
func incidentList(open []setbot.Incident, now time.Time) string {
	if len(open) == 0 {
		return "No incidents are tracked. `@setbot incident KEY` tracks one."
	}
	sort.Slice(open, func(i, j int) bool {
		a, b := newsOf(open[i]), newsOf(open[j])
		if !a.Equal(b) {
			return a.Before(b)
		}
		return open[i].Key < open[j].Key
	})
	var b strings.Builder
	fmt.Fprintf(&b, "Tracked incidents (%d):", len(open))
	runes := 0
	for i, in := range open {
		line := "\n- " + setbot.IncidentLine(in, now)
		if runes+len([]rune(line)) > setbot.MaxPostRunes-listReserve {
			fmt.Fprintf(&b, "\n… and %d more.", len(open)-i)
			break
		}
		runes += len([]rune(line))
		b.WriteString(line)
	}
	return b.String()
}

// newsOf is when an incident last had news: its last update, else when it
// was tracked.
func newsOf(in setbot.Incident) time.Time {
	if in.LastUpdate.After(in.Opened) {
		return in.LastUpdate
	}
	return in.Opened
}

// runResolveIncident is "resolve KEY".
func runResolveIncident(ctx context.Context, d *Dispatcher, r request) (outcome, error) {
	key, err := d.keyArg(ctx, r, false)
	if err != nil {
		return outcome{}, err
	}
	return d.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
		in, changed, err := tx.ResolveIncident(key)
		if err != nil {
			return "", err
		}
		if !changed {
			return fmt.Sprintf("%s was already resolved.", key), nil
		}
		d.log.Info().Str("issue", string(key)).Str("by", string(r.msg.Username)).Msg("incident resolved")
		if in.Root != "" && r.msg.ThreadID() != in.Root {
			note := fmt.Sprintf("%s was resolved by %s: no more reminders.", key, quoteName(r.msg.Username))
			if err := enqueueIncidentPost(tx, incidentPost{Key: key, Where: whereThread, Text: note}); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%s is resolved: no more reminders.", key), nil
	}), nil
}

// trackFiled is called in the transaction that records a filed ticket: an
// L1/L2 ticket becomes a tracked incident owned by its assignee, the SET
// primary at filing time, and its announcement in ~sustained-engineering
// starts the incident's thread (or joins it, when it was tracked already).
//
// When the intake paged SET and the page's thread is open, that thread is
// the incident's too: the page, the ticket's link and the incident's
// updates share one thread. shared reports that case.
func (d *Dispatcher) trackFiled(tx *store.Tx, in setbot.Intake, issue setbot.Issue, announce string) (shared bool, err error) {
	if !in.Priority.Urgent() {
		return false, nil
	}
	var root setbot.PostID
	if p, ok, err := tx.Page(autoPageID(in)); err != nil {
		return false, err
	} else if ok && p.Channel == d.cfg.SETChannel {
		root = p.Root
	}
	// d.shift reads the overrides in a read transaction of its own that
	// ends before this one commits, so it cannot block it.
	var owner setbot.Username
	if s, err := d.shift(); err == nil {
		owner = s.Primary
	}
	got, started, err := tx.TrackIncident(setbot.Incident{Key: issue.Key, Priority: in.Priority, Title: in.Summary, Owner: owner, Reporter: in.Reporter, Root: root})
	if err != nil {
		return false, err
	}
	if started {
		d.log.Info().Str("issue", string(got.Key)).Str("priority", got.Priority.String()).Str("owner", string(owner)).Msg("filed incident tracked")
	}
	// The announcement in ~sustained-engineering becomes the incident's
	// thread (or joins the page's): reminders and updates gather under it.
	return root != "" && got.Root == root, enqueueIncidentPost(tx, incidentPost{Key: got.Key, Where: whereThread, Text: announce})
}

// isSnooze reports whether a click's action belongs to a reminder.
func isSnooze(action string) bool {
	_, _, ok := setbot.ParseSnoozeAction(action)
	return ok
}

// clickSnooze handles a reminder's Snooze button: reminders wait, and the
// place of the reminders says who snoozed them until when.
func (d *Dispatcher) clickSnooze(ctx context.Context, c setbot.Click) string {
	key, length, _ := setbot.ParseSnoozeAction(c.Action)
	if err := d.checkIncidentRight(ctx, c.UserID, key, false); err != nil {
		return setbot.ErrorMessage(err)
	}
	now := d.now()
	until := now.Add(length)
	err := d.db.Update(now, func(tx *store.Tx) error {
		if _, err := tx.Snooze(key, until); err != nil {
			return err
		}
		text := fmt.Sprintf("%s snoozed the reminders of %s for %s, until %s.", quoteName(c.Username), key,
			setbot.FormatAge(length), until.In(d.cfg.Rotation.Location).Format("15:04 MST"))
		return enqueueIncidentPost(tx, incidentPost{Key: key, Where: whereIncident, Text: text})
	})
	if err != nil {
		if setbot.ErrorCode(err) == setbot.EInternal {
			d.log.Error().Err(err).Str("issue", string(key)).Msg("snooze")
		}
		return setbot.ErrorMessage(err)
	}
	d.log.Info().Str("issue", string(key)).Str("by", string(c.Username)).Dur("for", length).Msg("incident reminders snoozed")
	d.kick()
	return fmt.Sprintf("Snoozed %s for %s.", key, setbot.FormatAge(length))
}
