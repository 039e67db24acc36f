package dispatch

import (
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// ticketRig is the shared rig with a fake tracker, this week's rotation
// (primary alice, backup bob, lead carol), an admin (erin) and two
// handover teams.
type ticketRig struct {
	*rig
	jira *fakeTracker
}

var tr0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday

func newTicketRig(t testing.TB) *ticketRig {
	t.Helper()
	jira := &fakeTracker{}
	r := &ticketRig{rig: newRig(t, tr0, func(c *Config, e *Extensions) {
		c.Rotation.Admins = []setbot.Username{"erin"}
		e.Tracker, e.HandoverTeams = jira, []string{"Server", "Mobile"}
	}), jira: jira}
	r.chat.users["oldbot"] = setbot.User{ID: "u-oldbot", Username: "oldbot", IsBot: true}
	return r
}

// mention posts "@setbot text" in ~sustained-engineering as user and
// handles it; it returns the post's id.
func (r *ticketRig) mention(user, text string) setbot.PostID { return r.post(user, "c-set", "", text) }

// drain runs due jobs in every lane until none is due (bounded).
func (r *ticketRig) drain(*testing.T) { r.rig.drain() }

// pending counts the jobs in the outbox, due or not.
func (r *ticketRig) pending(t *testing.T) int {
	t.Helper()
	jobs, err := r.db.DueJobs(r.now.Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}
