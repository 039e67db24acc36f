package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Job kinds of incidents. Persisted in the outbox: never rename one.
const (
	jobIncidentPost    = "incident-post"    // payload: incidentPost
	jobIncidentComment = "incident-comment" // payload: incidentComment
)

// where an incident post goes. Persisted in jobs: values only grow.
type where int

const (
	// whereThread is the incident's thread in ~sustained-engineering,
	// started by this post when it has none yet.
	whereThread where = iota
	// whereIncident is where reminders go: the thread when there is one,
	// else the incident's own channel, else a new thread.
	whereIncident
)

// incidentPost is a post about an incident whose place is decided when it
// is posted, so that the first post starts the thread the others join.
type incidentPost struct {
	Key     setbot.IssueKey `json:"key"`
	Where   where           `json:"where"`
	Text    string          `json:"text"`
	Buttons []setbot.Button `json:"buttons,omitempty"`
	// Since, on an intake's announcement, is when the intake was
	// confirmed: when this post starts the thread, it is watched from then.
	Since time.Time `json:"since,omitzero"`
}

func enqueueIncidentPost(tx *store.Tx, p incidentPost) error {
	_, err := tx.Enqueue(jobIncidentPost, "", p, time.Time{})
	return err
}

func runIncidentPost(ctx context.Context, d *core, j store.Job, p incidentPost) error {
	in, ok, err := d.db.Incident(p.Key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("incident %s is gone; its post is dropped", p.Key)
	}
	r := setbot.Reply{ChannelID: d.cfg.SETChannel, RootID: in.Root, Text: setbot.FitPost(p.Text), Buttons: p.Buttons}
	if in.Root == "" && p.Where == whereIncident && in.Channel != "" {
		r.ChannelID = in.Channel
	}
	id, err := d.postOnce(ctx, j, r, jobKey(j))
	if err != nil || r.ChannelID != d.cfg.SETChannel || r.RootID != "" {
		return err
	}
	// This post started the incident's thread: the others join it.
	return d.db.Update(d.now(), func(tx *store.Tx) error {
		root, err := tx.SetIncidentThread(p.Key, id)
		if err != nil || p.Since.IsZero() || root != id {
			return err
		}
		return watchAnnouncement(tx, d.cfg.SETChannel, d.cfg.Bot.ID, id, p.Since)
	})
}

// incidentComment is a status update to add to the Jira ticket.
type incidentComment struct {
	Key  setbot.IssueKey `json:"key"`
	By   setbot.Username `json:"by"`
	Text string          `json:"text"`
}

func enqueueComment(tx *store.Tx, c incidentComment) error {
	_, err := tx.Enqueue(jobIncidentComment, "", c, time.Time{})
	return err
}

// runIncidentComment adds an update to the ticket. While Jira is down or
// not configured the job waits in the outbox; when Jira refuses it, the
// incident's thread is told. The comment is made exactly once
// (CommentOnce with the job's ref): a retry after a lost answer finds it.
func runIncidentComment(ctx context.Context, d *core, j store.Job, c incidentComment) error {
	if d.ext.Tracker == nil {
		return setbot.Errorf(setbot.EUnavailable, "Jira is not configured yet; the update waits in setbot's queue.")
	}
	text := fmt.Sprintf("Status update from @%s (posted in Mattermost through setbot):\n%s", c.By, c.Text)
	err := setbot.CommentOnce(ctx, d.ext.Tracker, c.Key, commentRef(j), text, nil)
	if err == nil || setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil {
		return err
	}
	d.log.Error().Err(err).Str("issue", string(c.Key)).Msg("Jira refused an incident update")
	note := fmt.Sprintf("I could not add %s's update to %s in Jira: %s", quoteName(c.By), c.Key, setbot.ErrorMessage(err))
	return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
		return enqueueIncidentPost(tx, incidentPost{Key: c.Key, Where: whereThread, Text: note})
	})
}
