package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// incSource is a fake Playbooks.
type incSource struct {
	mu    sync.Mutex
	at    time.Time
	found bool
	err   error
	asked int
}

func (s *incSource) LastStatusUpdate(_ context.Context, _ string) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	return s.at, s.found, s.err
}

// incRig is a dispatcher on a real store with fakes, a rotation of this
// week (primary alice, backup bob, lead carol), L2 updates every 24h, L1
// every 12h, and the lead after 4h more.
type incRig struct {
	*rig
	jira *fakeTracker
	pb   *incSource
}

var inc0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday

func newIncRig(t *testing.T) *incRig {
	t.Helper()
	jira := &fakeTracker{issues: map[setbot.IssueKey]setbot.Issue{"SET-7": {Summary: "login fails"}}}
	pb := &incSource{}
	r := &incRig{rig: newRig(t, inc0, func(c *Config, e *Extensions) {
		c.Incidents = setbot.NagPolicy{Every: map[setbot.Priority]time.Duration{setbot.L1: 12 * time.Hour}, Grace: 4 * time.Hour}
		e.Tracker, e.Playbooks = jira, pb
	}), jira: jira, pb: pb}
	r.chat.channels["war-room"] = "c-war"
	return r
}

// open (re)starts the dispatcher on the rig's store file.
func (r *incRig) open(*testing.T) { r.rig.open() }

// say posts "@setbot text" as user in channel (root: its thread) and
// handles it.
func (r *incRig) say(user string, ch setbot.ChannelID, root setbot.PostID, text string) {
	r.post(user, ch, root, text)
}

// drain runs due jobs in every lane until none is due (bounded).
func (r *incRig) drain(*testing.T) { r.rig.drain() }

// ask says text and returns the texts setbot posted in answer.
func (r *incRig) ask(t *testing.T, user string, text string) []string {
	t.Helper()
	r.say(user, "c-set", "", text)
	r.drain(t)
	posts := r.chat.take()
	var out []string
	for _, p := range posts {
		out = append(out, p.Text)
	}
	return out
}

// tick runs the reminder loop at the rig's time and returns the posts.
func (r *incRig) tick(t *testing.T) ([]setbot.Reply, []setbot.PostID) {
	t.Helper()
	r.d.c.incidents.nagIncidents(context.Background())
	r.drain(t)
	return r.chat.takeWithIDs()
}

func (r *incRig) incident(t *testing.T, key setbot.IssueKey) setbot.Incident {
	t.Helper()
	in, ok, err := r.db.Incident(key)
	if err != nil || !ok {
		t.Fatalf("incident %s: %v %v", key, ok, err)
	}
	return in
}

func wantOne(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("got %d posts %q, want one containing %q", len(got), got, want)
	}
	for _, w := range want {
		if !strings.Contains(got[0], w) {
			t.Errorf("post %q lacks %q", got[0], w)
		}
	}
}

func TestIncidentCommands(t *testing.T) {
	r := newIncRig(t)
	wantOne(t, r.ask(t, "bob", "incident set-7 L1 ~war-room"), "Tracking SET-7 (L1)", "every 12h", "@setbot update SET-7")
	in := r.incident(t, "SET-7")
	if in.Title != "login fails" || in.Channel != "c-war" || in.Priority != setbot.L1 || !in.Opened.Equal(inc0) {
		t.Errorf("tracked %+v", in)
	}
	wantOne(t, r.ask(t, "bob", "incident SET-7 L2 @dave"), "already tracked", "L2", "every 1d")
	if in := r.incident(t, "SET-7"); in.Owner != "dave" || in.Channel != "c-war" || in.Priority != setbot.L2 {
		t.Errorf("after re-tracking: %+v", in)
	}

	r.now = inc0.Add(3 * time.Hour)
	r.say("dave", "c-ask", "", "update SET-7 rolled back the index; next: a fix in 10.11.5")
	r.drain(t)
	posts := r.chat.take()
	if len(posts) != 2 {
		t.Fatalf("update made %d posts, want the answer and the echo: %+v", len(posts), posts)
	}
	echo, answer := posts[0], posts[1]
	if answer.ChannelID != "c-ask" || !strings.Contains(answer.Text, "recorded the update on SET-7") {
		t.Errorf("answer %+v", answer)
	}
	if echo.ChannelID != "c-set" || echo.RootID != "m1" || !strings.Contains(echo.Text, "rolled back the index") || strings.Contains(echo.Text, "@dave") {
		t.Errorf("echo %+v: want it in the thread where SET-7 was tracked, naming dave without mentioning him", echo)
	}
	if in := r.incident(t, "SET-7"); !in.LastUpdate.Equal(r.now) || in.Root != "m1" {
		t.Errorf("after update: %+v; want LastUpdate now and the tracking command's thread", in)
	}
	if c := r.jira.commentLines(); len(c) != 1 || !strings.Contains(c[0], "SET-7: Status update from @dave") ||
		!strings.Contains(c[0], "rolled back the index") {
		t.Errorf("Jira comments %q", c)
	}

	r.now = inc0.Add(6 * time.Hour)
	list := r.ask(t, "bob", "incidents")
	wantOne(t, list, "Tracked incidents (1)", "SET-7 (L2) — last update 3h ago, owner: `@dave` — login fails")

	resolved := r.ask(t, "bob", "resolve SET-7")
	if len(resolved) != 2 || !strings.Contains(resolved[0], "resolved by @\u200dbob") || resolved[1] != "SET-7 is resolved: no more reminders." {
		t.Errorf("resolve posted %q; want a note in the incident's thread and the answer", resolved)
	}
	wantOne(t, r.ask(t, "bob", "resolve SET-7"), "already resolved")
	wantOne(t, r.ask(t, "bob", "incidents"), "No incidents are tracked")
}

func TestIncidentCommandErrorsAreSentences(t *testing.T) {
	r := newIncRig(t)
	for text, want := range map[string]string{
		"incident":                  "Which ticket?",
		"incident SET7":             `"SET7" is not a Jira issue key`,
		"incident SET-7 L3":         "Only L1 and L2",
		"incident SET-7 banana":     `I don't understand "banana"`,
		"incident SET-99":           "Jira has no ticket SET-99",
		"incident SET-7 ~nowhere":   "no channel ~nowhere",
		"update SET-7 it is better": "SET-7 is not a tracked incident",
		"update SET-7":              "Say what changed",
		"resolve SET-8":             "SET-8 is not a tracked incident",
	} {
		wantOne(t, r.ask(t, "bob", text), want)
	}
	if open, _ := r.db.OpenIncidents(); len(open) != 0 {
		t.Errorf("refused commands tracked %+v", open)
	}
	if r.jira.comments != nil {
		t.Errorf("refused update reached Jira: %+v", r.jira.comments)
	}
}

func TestIncidentTrackedWhileJiraIsDown(t *testing.T) {
	r := newIncRig(t)
	r.jira.failing("get", setbot.Errorf(setbot.EUnavailable, "Jira is not answering."))
	wantOne(t, r.ask(t, "bob", "incident SET-7"), "Tracking SET-7 (L2)", "could not read its title")
	r.jira.failing("comment", setbot.Errorf(setbot.EUnavailable, "Jira is not answering."))
	if got := r.ask(t, "bob", "update SET-7 still digging"); len(got) != 2 || !strings.Contains(got[1], "recorded the update") {
		t.Fatalf("update answered %q", got)
	}
	if jobs, _ := r.db.DueJobs(r.now.Add(time.Hour), 10); len(jobs) != 1 || jobs[0].Kind != jobIncidentComment {
		t.Fatalf("the comment does not wait in the outbox: %+v", jobs)
	}
	r.jira.failing("comment", nil)
	r.now = r.now.Add(time.Hour)
	r.drain(t)
	if len(r.jira.comments) != 1 {
		t.Errorf("after Jira came back: comments %+v", r.jira.comments)
	}
	// Jira refuses the next one for good: the thread hears why.
	r.jira.failing("comment", setbot.Errorf(setbot.EForbidden, "Jira does not let setbot comment on SET-7."))
	r.ask(t, "bob", "update SET-7 found it")
	r.chat.take()
	r.drain(t)
	if jobs, _ := r.db.DueJobs(r.now.Add(time.Hour), 10); len(jobs) != 0 {
		t.Errorf("a refused comment stays in the outbox: %+v", jobs)
	}
}

func TestIncidentCommentRefusedIsToldInThread(t *testing.T) {
	r := newIncRig(t)
	r.ask(t, "bob", "incident SET-7")
	r.jira.failing("comment", setbot.Errorf(setbot.EForbidden, "Jira does not let setbot comment on SET-7."))
	r.say("bob", "c-set", "", "update SET-7 found it")
	r.drain(t)
	posts := r.chat.take()
	var note string
	for _, p := range posts {
		if strings.Contains(p.Text, "could not add") {
			note = p.Text
		}
	}
	if !strings.Contains(note, "does not let setbot comment") {
		t.Errorf("posts %+v: want a note that Jira refused the update", posts)
	}
}

func TestTrackFiledOnlyUrgent(t *testing.T) {
	r := newIncRig(t)
	for _, c := range []struct {
		key setbot.IssueKey
		p   setbot.Priority
	}{{"SET-1", setbot.L1}, {"SET-2", setbot.L2}, {"SET-3", setbot.L3}, {"SET-4", setbot.L4}} {
		err := r.db.Update(r.now, func(tx *store.Tx) error {
			_, err := r.d.c.incidents.trackFiled(tx, setbot.Intake{ID: string(c.key), Priority: c.p, Summary: "s " + string(c.key)}, setbot.Issue{Key: c.key}, "New SET ticket "+string(c.key), r.now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	open, _ := r.db.OpenIncidents()
	if len(open) != 2 || open[0].Key != "SET-1" || open[1].Key != "SET-2" || open[1].Owner != "alice" || open[1].Title != "s SET-2" {
		t.Errorf("tracked %+v; want SET-1 and SET-2 owned by the primary alice", open)
	}
}

// fileL2 tracks SET-2 as a filed L2 ticket at the rig's time; its
// announcement starts the incident's thread.
func fileL2(t *testing.T, r *incRig) {
	t.Helper()
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		_, err := r.d.c.incidents.trackFiled(tx, setbot.Intake{ID: "i2", Priority: setbot.L2, Summary: "slow"}, setbot.Issue{Key: "SET-2"}, "New SET ticket SET-2", r.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	posts, ids := r.chat.takeWithIDs()
	if len(posts) != 1 || posts[0].Text != "New SET ticket SET-2" || posts[0].RootID != "" || posts[0].ChannelID != r.d.c.cfg.SETChannel {
		t.Fatalf("announcement %+v; want one new post in ~sustained-engineering", posts)
	}
	if got := r.incident(t, "SET-2").Root; got != ids[0] {
		t.Fatalf("the incident's thread is %q, want the announcement %q", got, ids[0])
	}
}

func TestNagRemindsOwnerThenLead(t *testing.T) {
	r := newIncRig(t)
	var logs bytes.Buffer
	r.d.c.log = zerolog.New(&logs)
	fileL2(t, r)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded at once: %+v", posts)
	}
	if want := inc0.Add(nagIdle); !r.d.c.incidents.nag.nextAt.Equal(want) {
		t.Errorf("planned the next look at %v, want %v (nothing due sooner)", r.d.c.incidents.nag.nextAt, want)
	}
	r.now = inc0.Add(23*time.Hour + 30*time.Minute)
	r.tick(t)
	if want := inc0.Add(24 * time.Hour); !r.d.c.incidents.nag.nextAt.Equal(want) {
		t.Errorf("planned the next look at %v, want the reminder's time %v", r.d.c.incidents.nag.nextAt, want)
	}
	r.now = inc0.Add(24 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 {
		t.Fatalf("first reminder: %d posts %+v", len(posts), posts)
	}
	first := posts[0]
	thread := r.incident(t, "SET-2").Root
	if first.ChannelID != "c-set" || first.RootID != thread || !strings.HasPrefix(first.Text, "@alice SET-2 (L2)") ||
		strings.Contains(first.Text, "@carol") || len(first.Buttons) != 2 || first.Buttons[0].Label != "Snooze 1h" {
		t.Errorf("first reminder %+v", first)
	}
	if in := r.incident(t, "SET-2"); in.Root != thread || in.Reminders != 1 {
		t.Errorf("after the first reminder: %+v; want it in the announcement's thread", in)
	}
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded twice: %+v", posts)
	}
	r.now = inc0.Add(28 * time.Hour)
	posts, _ = r.tick(t)
	if len(posts) != 1 || posts[0].RootID != thread || !strings.HasPrefix(posts[0].Text, "@alice @carol ") {
		t.Errorf("after grace: %+v; want the lead mentioned in the thread", posts)
	}
	for _, want := range []string{`"reason":"first reminder"`, `"reason":"grace period over, mentioning the lead","reminder":2`, `"lead":"carol"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	r.ask(t, "bob", "resolve SET-2")
	r.now = inc0.Add(30 * 24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Errorf("a resolved incident was nagged: %+v", posts)
	}
}

func TestNagRestartNeitherRepeatsNorSkips(t *testing.T) {
	r := newIncRig(t)
	fileL2(t, r)
	r.now = inc0.Add(24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 1 {
		t.Fatalf("first reminder: %+v", posts)
	}
	r.open(t) // a restart: a new dispatcher with an empty plan
	r.now = inc0.Add(25 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("repeated after a restart: %+v", posts)
	}
	r.open(t)
	r.now = inc0.Add(40 * time.Hour) // down over the lead's turn
	posts, _ := r.tick(t)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "@carol") {
		t.Errorf("after a restart past the lead's turn: %+v", posts)
	}
}

func TestNagUpdatePushesBack(t *testing.T) {
	r := newIncRig(t)
	fileL2(t, r)
	r.now = inc0.Add(24 * time.Hour)
	r.tick(t)
	r.now = inc0.Add(25 * time.Hour)
	r.ask(t, "alice", "update SET-2 fixed the index")
	for _, h := range []time.Duration{28, 48} {
		r.now = inc0.Add(h * time.Hour)
		if posts, _ := r.tick(t); len(posts) != 0 {
			t.Fatalf("at +%dh after an update at +25h: %+v", h, posts)
		}
	}
	r.now = inc0.Add(49 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 || strings.Contains(posts[0].Text, "@carol") || !strings.Contains(posts[0].Text, "for 1d") {
		t.Errorf("at +49h: %+v; want a first reminder again", posts)
	}
}

func TestSnoozeClick(t *testing.T) {
	r := newIncRig(t)
	fileL2(t, r)
	r.now = inc0.Add(24 * time.Hour)
	posts, ids := r.tick(t)
	if !isSnooze(posts[0].Buttons[1].Action) || isSnooze(actionAck+"x") {
		t.Fatal("isSnooze does not tell the buttons apart")
	}
	r.now = inc0.Add(24*time.Hour + time.Minute)
	got := r.d.Click(context.Background(), setbot.Click{UserID: "u-alice", Username: "alice", PostID: ids[0], ChannelID: "c-set", Action: posts[0].Buttons[1].Action})
	if got != "Snoozed SET-2 for 4h." {
		t.Errorf("click answered %q", got)
	}
	r.drain(t)
	note := r.chat.take()
	if thread := r.incident(t, "SET-2").Root; len(note) != 1 || note[0].RootID != thread || !strings.Contains(note[0].Text, "until 14:01 UTC") {
		t.Errorf("snooze note %+v", note)
	}
	r.now = inc0.Add(28 * time.Hour) // the lead's turn, but snoozed until 28h01m
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("nagged while snoozed: %+v", posts)
	}
	r.now = inc0.Add(28*time.Hour + 2*time.Minute)
	posts, _ = r.tick(t)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "@carol") {
		t.Errorf("after the snooze: %+v; want the lead", posts)
	}
	r.ask(t, "bob", "resolve SET-2")
	if got := r.d.Click(context.Background(), setbot.Click{UserID: "u-alice", Action: posts[0].Buttons[0].Action}); !strings.Contains(got, "resolved") {
		t.Errorf("snoozing a resolved incident answered %q", got)
	}
}

func TestNagPostsInIncidentChannelWithoutThread(t *testing.T) {
	r := newIncRig(t)
	r.say("bob", "c-ask", "", "incident SET-7 ~war-room") // not in SET: no thread
	r.drain(t)
	r.chat.take()
	r.now = inc0.Add(24 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 || posts[0].ChannelID != "c-war" || !strings.HasPrefix(posts[0].Text, "@alice ") {
		t.Errorf("reminder %+v; want it in the incident channel, mentioning the primary", posts)
	}
}

func TestPlaybooksUpdatesCount(t *testing.T) {
	r := newIncRig(t)
	r.ask(t, "bob", "incident SET-7 ~war-room")
	r.pb.found, r.pb.at = true, inc0.Add(20*time.Hour)
	r.now = inc0.Add(24 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded although Playbooks had an update at +20h: %+v", posts)
	}
	if in := r.incident(t, "SET-7"); !in.LastUpdate.Equal(r.pb.at) {
		t.Errorf("LastUpdate %v, want Playbooks' %v", in.LastUpdate, r.pb.at)
	}
	asked := r.pb.asked
	r.now = r.now.Add(playbooksEvery - time.Second)
	r.tick(t)
	if r.pb.asked != asked {
		t.Errorf("Playbooks asked again within %v", playbooksEvery)
	}
	r.now = r.now.Add(time.Second)
	r.tick(t)
	if r.pb.asked != asked+1 {
		t.Errorf("Playbooks not asked again after %v", playbooksEvery)
	}
	// Absent plugin or failing server: the reminder comes all the same.
	for _, c := range []struct {
		name  string
		found bool
		err   error
	}{{"absent", false, nil}, {"failing", false, fmt.Errorf("playbooks unavailable")}} {
		r.pb.found, r.pb.at, r.pb.err = c.found, time.Time{}, c.err
		r.now = r.now.Add(24 * time.Hour)
		if posts, _ := r.tick(t); len(posts) != 1 {
			t.Errorf("with Playbooks %s: %d posts, want a reminder", c.name, len(posts))
		}
	}
}

func TestIncidentListFitsOnePost(t *testing.T) {
	var open []setbot.Incident
	for i := range 2000 {
		open = append(open, setbot.Incident{Key: setbot.IssueKey(fmt.Sprintf("SET-%d", i+1)), Priority: setbot.L2,
			Opened: inc0.Add(time.Duration(i) * time.Minute), Title: strings.Repeat("long title ", 3)})
	}
	text := incidentList(open, inc0.Add(48*time.Hour))
	if n := len([]rune(text)); n > setbot.MaxPostRunes {
		t.Fatalf("list has %d runes", n)
	}
	if !strings.Contains(text, "more.") || !strings.Contains(text, "\n- SET-1 (L2)") {
		t.Errorf("list lacks the oldest first or the rest count:\n%s", text[:200])
	}
}

// BenchmarkNagIncidents10k is one full pass of the reminder loop over 10,000
// open incidents in the store (none due): reading, decoding and deciding.
func BenchmarkNagIncidents10k(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "setbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Update(inc0, func(tx *store.Tx) error {
		for i := range 10000 {
			in := setbot.Incident{Key: setbot.IssueKey(fmt.Sprintf("SET-%d", i+1)), Priority: setbot.Priority(1 + i%2)}
			if _, _, err := tx.TrackIncident(in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	d := New(Config{SETChannel: "c-set", Now: func() time.Time { return inc0.Add(time.Hour) }, Log: zerolog.Nop()}, newFakeChat(), db, Extensions{})
	b.ReportAllocs()
	for b.Loop() {
		d.c.incidents.nag = nagPlan{} // force a full pass
		d.c.incidents.nagIncidents(context.Background())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/incident")
	b.StopTimer()
	if want := inc0.Add(time.Hour + nagIdle); !d.c.incidents.nag.nextAt.Equal(want) {
		b.Fatalf("planned %v, want %v", d.c.incidents.nag.nextAt, want)
	}
}

// BenchmarkNagIdleTick is a tick when nothing changed and nothing is due:
// what the loop costs almost all of the time.
func BenchmarkNagIdleTick(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "setbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.TrackIncident(setbot.Incident{Key: "SET-1", Priority: setbot.L2}, inc0); err != nil {
		b.Fatal(err)
	}
	d := New(Config{Now: func() time.Time { return inc0.Add(time.Hour) }, Log: zerolog.Nop()}, newFakeChat(), db, Extensions{})
	d.c.incidents.nagIncidents(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		d.c.incidents.nagIncidents(context.Background())
	}
}

// TestIncidentUpdateCommentsOnce: an update whose Jira answer is lost is
// retried with the same ref, so Jira has it once.
func TestIncidentUpdateCommentsOnce(t *testing.T) {
	r := newIncRig(t)
	once := newOnceTracker(r.jira, 1)
	r.d.c.ext.Tracker = once
	r.ask(t, "bob", "incident SET-7")
	r.ask(t, "bob", "update SET-7 still digging")
	r.now = r.now.Add(time.Hour)
	r.drain(t)
	sameRef(t, once.takeRefs(), "comment", 2)
	if len(r.jira.comments) != 1 {
		t.Errorf("Jira has %d comments %+v, want 1", len(r.jira.comments), r.jira.comments)
	}
}

// TestIncidentTakesLevelAndOwnerFromTheTicket: without L1/L2 or @owner,
// tracking takes them from the ticket; what is typed wins.
func TestIncidentTakesLevelAndOwnerFromTheTicket(t *testing.T) {
	r := newIncRig(t)
	r.jira.issues["SET-7"] = setbot.Issue{Summary: "login fails", Priority: setbot.L1, Assignee: "dave"}
	r.jira.issues["SET-9"] = setbot.Issue{Summary: "checkout down", Priority: setbot.L3, Assignee: "dave"}
	wantOne(t, r.ask(t, "bob", "incident SET-7"), "Tracking SET-7 (L1)")
	if in := r.incident(t, "SET-7"); in.Owner != "dave" || in.Priority != setbot.L1 {
		t.Errorf("SET-7 tracked as %v owned by %q; want the ticket's L1 and dave", in.Priority, in.Owner)
	}
	wantOne(t, r.ask(t, "bob", "incident SET-9 @erin"), "Tracking SET-9 (L2)")
	if in := r.incident(t, "SET-9"); in.Owner != "erin" || in.Priority != setbot.L2 {
		t.Errorf("SET-9 tracked as %v owned by %q; want L2 (the ticket's L3 is no incident level) and the typed @erin", in.Priority, in.Owner)
	}
}

// TestDoneTicketStopsTheReminders: when a reminder is due and the ticket is
// Done in Jira, tracking stops with one note in the thread instead of a
// reminder; a ticket closed while nothing is due is found by the sweep.
func TestDoneTicketStopsTheReminders(t *testing.T) {
	r := newIncRig(t)
	fileL2(t, r)
	r.jira.issues["SET-2"] = setbot.Issue{Summary: "slow", Status: "Closed", Done: true}
	r.now = inc0.Add(24 * time.Hour)
	posts, _ := r.tick(t)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "SET-2 is “Closed” in Jira") || posts[0].RootID != r.incident(t, "SET-2").Root {
		t.Fatalf("at the due time of a Done ticket: %s", texts(posts))
	}
	if !r.incident(t, "SET-2").Resolved {
		t.Error("the incident is still tracked")
	}
	r.now = r.now.Add(48 * time.Hour)
	if posts, _ := r.tick(t); len(posts) != 0 {
		t.Fatalf("reminded after the ticket was done: %s", texts(posts))
	}

	r.ask(t, "alice", "incident SET-7 L1")
	r.jira.issues["SET-7"] = setbot.Issue{Summary: "login fails", Status: "Done", Done: true}
	r.d.c.incidents.sweepDone(context.Background()) // the first sweep runs at once
	r.drain(t)
	if posts := r.chat.take(); len(posts) != 1 || !strings.Contains(posts[0].Text, "SET-7 is “Done” in Jira") {
		t.Fatalf("the sweep: %s", texts(posts))
	}
}
