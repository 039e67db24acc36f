package dispatch

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// ticketTracker is a Tracker that records calls; err, when set, is returned
// by every call (and cleared after fail calls, when fail > 0).
type ticketTracker struct {
	mu       sync.Mutex
	calls    []string
	err      error
	fail     int // calls that return err; 0: all of them
	similar  []setbot.Issue
	comments []trackedComment
	filed    int
}

type trackedComment struct {
	key   setbot.IssueKey
	text  string
	files []setbot.TicketFile
}

var _ setbot.Tracker = (*ticketTracker)(nil)

func (f *ticketTracker) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	if f.err == nil {
		return nil
	}
	err := f.err
	if f.fail > 0 {
		if f.fail--; f.fail == 0 {
			f.err = nil
		}
	}
	return err
}

func (f *ticketTracker) FileOnce(_ context.Context, r setbot.TicketRequest) (setbot.Issue, error) {
	if err := f.record("file " + r.Intake.ID); err != nil {
		return setbot.Issue{}, err
	}
	f.mu.Lock()
	f.filed++
	f.mu.Unlock()
	return setbot.Issue{Key: "SET-900", URL: "https://jira.example.com/browse/SET-900"}, nil
}

func (f *ticketTracker) Similar(_ context.Context, in setbot.Intake, max int) ([]setbot.Issue, error) {
	if err := f.record("similar " + in.Summary); err != nil {
		return nil, err
	}
	return f.similar[:min(max, len(f.similar))], nil
}

func (f *ticketTracker) Comment(_ context.Context, key setbot.IssueKey, text string, files []setbot.TicketFile) error {
	if err := f.record("comment " + string(key)); err != nil {
		return err
	}
	f.mu.Lock()
	f.comments = append(f.comments, trackedComment{key, text, files})
	f.mu.Unlock()
	return nil
}

func (f *ticketTracker) Assign(_ context.Context, key setbot.IssueKey, user setbot.Username, email string) error {
	return f.record("assign " + string(key) + " " + string(user) + " " + email)
}

func (f *ticketTracker) SetPriority(_ context.Context, key setbot.IssueKey, p setbot.Priority) error {
	return f.record("priority " + string(key) + " " + p.String())
}

func (f *ticketTracker) Handover(_ context.Context, key setbot.IssueKey, team, comment string) error {
	return f.record("handover " + string(key) + " " + team + " " + strings.ReplaceAll(comment, "\n", "⏎"))
}

func (f *ticketTracker) Get(_ context.Context, key setbot.IssueKey) (setbot.Issue, error) {
	if err := f.record("get " + string(key)); err != nil {
		return setbot.Issue{}, err
	}
	return setbot.Issue{Key: key, URL: "https://jira.example.com/browse/" + string(key)}, nil
}

func (f *ticketTracker) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// ticketRig is a dispatcher on a real store with a fake chat and tracker, a
// rotation of this week (primary alice, backup bob, lead carol) and an
// admin, with a settable clock.
type ticketRig struct {
	d    *Dispatcher
	db   *store.DB
	chat *fakeChat
	jira *ticketTracker
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
	r := &ticketRig{db: db, chat: chat, jira: &ticketTracker{}, now: tr0}
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

// drain runs due jobs in both lanes until nothing due is left (bounded).
func (r *ticketRig) drain(t *testing.T) {
	t.Helper()
	for range 10 {
		jobs, err := r.db.DueJobs(r.now, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 {
			return
		}
		runLanes(r.d)
	}
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
