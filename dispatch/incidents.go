package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// The incidents feature: this file has the commands that track, update and
// resolve incidents and the tracking of L1/L2 tickets filed through setbot;
// incidents_list.go the list and the Snooze button; incidents_nag.go the
// reminders; incidents_jobs.go their durable posts and Jira comments;
// incidents_done.go the end of tracking when a ticket is done.

// commands are the incident commands of the command table.
func (*incidents) commands() []command {
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
func (d *incidents) keyArg(ctx context.Context, r request, update bool) (setbot.IssueKey, error) {
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
	for _, c := range (*incidents)(nil).commands() {
		if c.name == r.name {
			return "@setbot " + c.usage
		}
	}
	return "@setbot help"
}

// incidentOutcome runs fn in the post's transaction and replies with the
// sentence it returns. A person-safe error (anything but EInternal) becomes
// the reply instead: fn must check before it writes.
func (d *incidents) incidentOutcome(m setbot.Message, fn func(tx *store.Tx) (string, error)) outcome {
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
func runTrackIncident(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.incidents.keyArg(ctx, r, false)
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
	return d.incidents.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
		text, err := d.incidents.track(tx, in, r.msg, args.priority != setbot.PriorityUnset)
		return text + note, err
	}), nil
}

// getIssue reads a ticket; without a Tracker it is EUnavailable.
func (d *core) getIssue(ctx context.Context, key setbot.IssueKey) (setbot.Issue, error) {
	if d.ext.Tracker == nil {
		return setbot.Issue{}, setbot.Errorf(setbot.EUnavailable, "Jira is not configured.")
	}
	return d.ext.Tracker.Get(ctx, key)
}

// track starts tracking in, or changes the channel, owner or (when typed,
// so that a Jira outage never quietly lowers an L1) priority of an incident
// already tracked.
func (d *incidents) track(tx *store.Tx, in setbot.Incident, m setbot.Message, typedLevel bool) (string, error) {
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
func runIncidentUpdate(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.incidents.keyArg(ctx, r, true)
	if err != nil {
		return outcome{}, err
	}
	_, text, _ := strings.Cut(r.rest, " ")
	text = strings.TrimSpace(text)
	if text == "" {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Say what changed and what is next: `%s`.", setbot.UpdateCommand(key))
	}
	return d.incidents.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
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

// runResolveIncident is "resolve KEY".
func runResolveIncident(ctx context.Context, d *core, r request) (outcome, error) {
	key, err := d.incidents.keyArg(ctx, r, false)
	if err != nil {
		return outcome{}, err
	}
	return d.incidents.incidentOutcome(r.msg, func(tx *store.Tx) (string, error) {
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
func (d *incidents) trackFiled(tx *store.Tx, in setbot.Intake, issue setbot.Issue, announce string, confirmed time.Time) (shared bool, err error) {
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
	// thread (or joins the page's): reminders and updates gather under it,
	// and SET's first reply there is timed from the confirmation.
	if root != "" && got.Root == root {
		if err := watchAnnouncement(tx, d.cfg.SETChannel, d.cfg.Bot.ID, root, confirmed); err != nil {
			return false, err
		}
	}
	return root != "" && got.Root == root, enqueueIncidentPost(tx, incidentPost{Key: got.Key, Where: whereThread, Text: announce, Since: confirmed})
}
