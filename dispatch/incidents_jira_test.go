package dispatch

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

// Issue 7, source 3: a person's comment on the ticket in Jira counts as a
// status update. These tests run on a real store with a fake clock.

// withFakeJira points the rig's dispatcher at a jira.Client on the
// contract-checked fake Jira, which holds SET-1 and SET-2; bob's Jira
// account is carol's in [jira.accounts].
func withFakeJira(t *testing.T, r *incRig) *jiratest.Server {
	t.Helper()
	fake := jiratest.New(t, jiratest.Options{Users: []jiratest.User{{AccountID: "acc-bob", Email: "bob@example.com", Display: "Bob"}}})
	fake.AddIssue(jiratest.Issue{Summary: "login fails"})
	fake.AddIssue(jiratest.Issue{Summary: "slow"})
	cfg := jira.Config{URL: fake.URL(), Email: fake.Email(), Token: fake.Token(), Project: "SET",
		Accounts: map[string]string{"carol": "acc-bob"}}
	cfg.SetDefaults()
	c, err := jira.New(cfg, jira.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	r.d.c.ext.Tracker = c
	return fake
}

func TestJiraCommentByAPersonPushesTheReminderBack(t *testing.T) {
	r := newIncRig(t)
	var logs bytes.Buffer
	r.d.c.log = zerolog.New(&logs)
	fake := withFakeJira(t, r)
	fileL2(t, r) // SET-2, tracked at inc0, due at +24h
	fake.AddCommentAt("SET-2", "acc-bob", "Customer restarted the cluster; watching.", inc0.Add(20*time.Hour))
	r.now = inc0.Add(24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded although bob commented in Jira at +20h: %+v", posts)
	}
	if in := r.incident(t, "SET-2"); !in.LastUpdate.Equal(inc0.Add(20 * time.Hour)) {
		t.Errorf("LastUpdate %v, want the comment's +20h", in.LastUpdate)
	}
	if !strings.Contains(logs.String(), `"by":"carol"`) || !strings.Contains(logs.String(), "status update from a Jira comment") {
		t.Errorf("the update from Jira is not logged with its author mapped back:\n%s", logs.String())
	}
	r.now = inc0.Add(44*time.Hour - time.Minute)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded before the comment's interval ran out: %+v", posts)
	}
	r.now = inc0.Add(44 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 || !strings.HasPrefix(posts[0].Text, "@alice SET-2 (L2) has had no status update for 1d") {
		t.Errorf("at +44h: %+v; want one reminder a day after the comment", posts)
	}
}

// TestJiraCommentsBySetbotDoNotCount: setbot's own comments (the echo of
// "@setbot update", or any other) are not updates a second time.
func TestJiraCommentsBySetbotDoNotCount(t *testing.T) {
	r := newIncRig(t)
	fake := withFakeJira(t, r)
	fileL2(t, r)
	r.now = inc0.Add(time.Hour)
	r.ask(t, "alice", "update SET-2 rolled back the deploy") // its Jira comment is setbot's
	if cs := fake.Issues()[1].Comments; len(cs) != 1 || cs[0].Author != jiratest.SelfAccountID {
		t.Fatalf("SET-2's comments %+v; want setbot's echo of the update", cs)
	}
	fake.AddCommentAt("SET-2", jiratest.SelfAccountID, "Handed over to the platform team.", inc0.Add(24*time.Hour))
	r.now = inc0.Add(25 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "no status update for 1d") {
		t.Fatalf("at +25h: %+v; want the reminder a day after the update, setbot's comments not counted", posts)
	}
	if in := r.incident(t, "SET-2"); !in.LastUpdate.Equal(inc0.Add(time.Hour)) {
		t.Errorf("LastUpdate %v, want the update's +1h", in.LastUpdate)
	}
}

// commentJira is a Tracker whose newest human comment is set by the test.
type commentJira struct {
	*fakeTracker
	mu    sync.Mutex
	at    time.Time
	found bool
	err   error
	asked []setbot.IssueKey
}

func (c *commentJira) LastHumanComment(_ context.Context, key setbot.IssueKey) (time.Time, setbot.Username, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, key)
	return c.at, "dave", c.found, c.err
}

func (c *commentJira) questions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.asked)
}

// TestJiraDownRemindersStillSent: a failing Jira is asked once per tick,
// logged as a warning, and every due reminder goes out.
func TestJiraDownRemindersStillSent(t *testing.T) {
	r := newIncRig(t)
	var logs bytes.Buffer
	r.d.c.log = zerolog.New(&logs)
	cj := &commentJira{fakeTracker: r.jira, err: setbot.Errorf(setbot.EUnavailable, "Jira is not answering right now.")}
	r.d.c.ext.Tracker = cj
	r.jira.issues["SET-8"] = setbot.Issue{Summary: "search down"}
	r.ask(t, "bob", "incident SET-7")
	r.ask(t, "bob", "incident SET-8")
	r.now = inc0.Add(24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 2 {
		t.Fatalf("with Jira down: %d posts %+v, want both reminders", len(posts), posts)
	}
	if n := cj.questions(); n != 1 {
		t.Errorf("Jira asked %d times in a tick while down, want once", n)
	}
	if !strings.Contains(logs.String(), `"level":"warn"`) || strings.Contains(logs.String(), `"level":"error"`) {
		t.Errorf("want a warning and no error:\n%s", logs.String())
	}
}

// TestJiraAskedOnlyWhenDueAndSpaced: Jira is asked only when a reminder is
// due, and at most every jiraEvery per incident; a comment older than the
// last update changes nothing.
func TestJiraAskedOnlyWhenDueAndSpaced(t *testing.T) {
	r := newIncRig(t)
	cj := &commentJira{fakeTracker: r.jira, found: true, at: inc0.Add(-time.Hour)} // before tracking
	r.d.c.ext.Tracker = cj
	r.d.c.cfg.Incidents = setbot.NagPolicy{Default: 2 * time.Minute}
	r.ask(t, "bob", "incident SET-7")
	r.now = inc0.Add(time.Minute)
	r.tick(t)
	if n := cj.questions(); n != 0 {
		t.Fatalf("Jira asked %d times with no reminder due", n)
	}
	for _, step := range []struct {
		at    time.Duration
		asked int
	}{{2 * time.Minute, 1}, {4 * time.Minute, 1}, {6 * time.Minute, 1}, {8 * time.Minute, 2}} {
		r.now = inc0.Add(step.at)
		if posts, _ := r.tick(t); len(posts) != 1 {
			t.Errorf("at +%v: %d posts, want a reminder", step.at, len(posts))
		}
		if n := cj.questions(); n != step.asked {
			t.Errorf("at +%v: Jira asked %d times, want %d", step.at, n, step.asked)
		}
	}
}

// TestJiraCommentAheadOfOurClock: a comment dated in the future (Jira's
// clock ahead) counts as made now, so it cannot silence reminders longer.
func TestJiraCommentAheadOfOurClock(t *testing.T) {
	r := newIncRig(t)
	cj := &commentJira{fakeTracker: r.jira, found: true, at: inc0.Add(30 * time.Hour)}
	r.d.c.ext.Tracker = cj
	r.ask(t, "bob", "incident SET-7")
	r.now = inc0.Add(24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded despite a comment: %+v", posts)
	}
	if in := r.incident(t, "SET-7"); !in.LastUpdate.Equal(r.now) {
		t.Errorf("LastUpdate %v, want now %v", in.LastUpdate, r.now)
	}
}
