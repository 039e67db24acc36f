package dispatch

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// ticketRig is a dispatcher on a real store with a fake chat and tracker, a
// rotation of this week (primary alice, backup bob, lead carol) and an
// admin, with a settable clock.
type ticketRig struct {
	d    *Dispatcher
	db   *store.DB
	chat *fakeChat
	jira *fakeTracker
	now  time.Time
	seq  int
}

var tr0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday

func newTicketRig(t testing.TB) *ticketRig {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "setbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	chat := newFakeChat()
	chat.users["oldbot"] = setbot.User{ID: "u-oldbot", Username: "oldbot", IsBot: true}
	r := &ticketRig{db: db, chat: chat, jira: &fakeTracker{}, now: tr0}
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	cfg := Config{Bot: setbot.User{ID: "bot", Username: "setbot"}, SETChannel: "c-set", AskChannel: "c-ask",
		Now: func() time.Time { return r.now }, Log: zerolog.Nop(),
		Rotation: Rotation{Location: time.UTC, Admins: []setbot.Username{"erin"},
			Weeks: []setbot.Week{{Starts: monday, Primary: "alice", Backup: "bob", Lead: "carol"}}}}
	r.d = New(cfg, chat, db, Extensions{Tracker: r.jira, HandoverTeams: []string{"Server", "Mobile"}})
	return r
}

// mention posts "@setbot text" in ~sustained-engineering as user and
// handles it; it returns the post's id.
func (r *ticketRig) mention(user, text string) setbot.PostID {
	r.seq++
	id := setbot.PostID("m" + string(rune('a'+r.seq)))
	r.d.handle(context.Background(), setbot.Message{ID: id, ChannelID: "c-set", Kind: setbot.ChannelSET,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: "@setbot " + text, Mentioned: true, At: r.now})
	return id
}

// drain runs due jobs in every lane until none is due (bounded).
func (r *ticketRig) drain(t *testing.T) {
	t.Helper()
	drainJobs(t, r.db, r.d, r.now)
}

// pending counts the jobs in the outbox, due or not.
func (r *ticketRig) pending(t *testing.T) int {
	t.Helper()
	jobs, err := r.db.DueJobs(r.now.Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}
