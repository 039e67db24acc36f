package dispatch

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// listingTracker is a fakeTracker that also lists open tickets.
type listingTracker struct {
	*fakeTracker
	lmu     sync.Mutex
	open    []setbot.Issue
	listErr error
	lists   int
	todo    []setbot.RankedTicket // the TO DO column, in rank order
}

var (
	_ setbot.TicketLister = (*listingTracker)(nil)
	_ setbot.BoardReader  = (*listingTracker)(nil)
)

func (f *listingTracker) ToDo(_ context.Context, classes []setbot.OrderClass, max int) ([]setbot.RankedTicket, error) {
	f.lmu.Lock()
	defer f.lmu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return f.todo[:min(max, len(f.todo))], nil
}

func (f *listingTracker) OpenTickets(_ context.Context, max int) ([]setbot.Issue, error) {
	f.lmu.Lock()
	defer f.lmu.Unlock()
	f.lists++
	if f.listErr != nil {
		return nil, f.listErr
	}
	return f.open[:min(max, len(f.open))], nil
}

// cycleRig is a dispatcher with weekly reports on a real store, reopened
// by restart, with a fake clock, chat and Jira. This week (2026-03-02):
// lead carol, primary alice, backup bob; next week: lead erin, primary
// dave, backup sam. adm is a rotation admin.
type cycleRig struct {
	*rig
	jira *listingTracker
}

var (
	cycleMonday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	monNine     = setbot.ReportTime{Day: time.Monday, Hour: 9}
	friTwo      = setbot.ReportTime{Day: time.Friday, Hour: 14}
)

func newCycleRig(t *testing.T, rep Reports) *cycleRig {
	t.Helper()
	jira := &listingTracker{fakeTracker: &fakeTracker{}, open: []setbot.Issue{
		{Key: "SET-1", URL: "https://jira.example.com/browse/SET-1", Summary: "Login fails", Priority: setbot.L1, Assignee: "alice", Updated: cycleMonday.Add(-24 * time.Hour)},
		{Key: "SET-2", URL: "https://jira.example.com/browse/SET-2", Summary: "Slow search", Priority: setbot.L3, Updated: cycleMonday.Add(-72 * time.Hour)},
		{Key: "SET-3", URL: "https://jira.example.com/browse/SET-3", Summary: "Export crash", Priority: setbot.L2, Assignee: "bob", Updated: cycleMonday},
	}}
	return &cycleRig{rig: newRig(t, cycleMonday.Add(8*time.Hour), func(c *Config, e *Extensions) {
		c.Reports = rep
		c.Rotation.Admins = []setbot.Username{"adm"}
		c.Rotation.Weeks = []setbot.Week{
			{Starts: cycleMonday, Primary: "alice", Backup: "bob", Lead: "carol"},
			{Starts: cycleMonday.AddDate(0, 0, 7), Primary: "dave", Backup: "sam", Lead: "erin"},
			{Starts: cycleMonday.AddDate(0, 0, 14), Primary: "alice", Backup: "bob", Lead: "carol"},
		}
		e.Tracker = jira
	}), jira: jira}
}

// tick runs the report timer and every due job, and returns the posts.
func (r *cycleRig) tick() []setbot.Reply {
	r.t.Helper()
	r.d.c.cycle.cycleReports(context.Background())
	r.drain()
	return r.chat.take()
}

func (r *cycleRig) pending() int {
	jobs, err := r.db.DueJobs(r.now.Add(1000*time.Hour), 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return len(jobs)
}

func TestStartReportOncePerWeekAcrossRestarts(t *testing.T) {
	r := newCycleRig(t, Reports{Start: &monNine})
	r.now = cycleMonday.Add(9*time.Hour - time.Second)
	if got := r.tick(); len(got) != 0 {
		t.Fatalf("posted before 09:00:\n%s", texts(got))
	}
	r.now = cycleMonday.Add(9 * time.Hour)
	got := r.tick()
	if len(got) != 1 {
		t.Fatalf("want one start report, got:\n%s", texts(got))
	}
	p := got[0]
	if p.ChannelID != "c-set" || p.RootID != "" || len(p.Buttons) != 0 {
		t.Errorf("report posted as %+v", p)
	}
	for _, want := range []string{
		"#### SET week of 2026-03-02: start of the week",
		"On SET this week: lead @carol · primary @alice · backup @bob",
		"##### Open SET tickets (3), most urgent first",
		"- [SET-1](https://jira.example.com/browse/SET-1) · L1 · Login fails · `@alice` · updated 1d 9h ago\n" +
			"- [SET-3](https://jira.example.com/browse/SET-3) · L2 · Export crash · `@bob` · updated 9h ago\n" +
			"- :warning: [SET-2](https://jira.example.com/browse/SET-2) · L3 · Slow search · **unassigned** · updated 3d 9h ago → `@setbot assign SET-2 @alice`",
	} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.Contains(p.Text, "was due at") {
		t.Errorf("an on-time report says it is late:\n%s", p.Text)
	}
	// Every later tick, and a restart the same day, posts nothing.
	for _, step := range []time.Duration{time.Second, time.Minute, 6 * time.Hour} {
		r.now = r.now.Add(step)
		if got := r.tick(); len(got) != 0 {
			t.Fatalf("posted again %s later:\n%s", step, texts(got))
		}
	}
	r.open()
	if got := r.tick(); len(got) != 0 {
		t.Fatalf("posted again after a restart:\n%s", texts(got))
	}
	// Next Monday: the next week's report, once, naming next week's team.
	r.now = cycleMonday.AddDate(0, 0, 7).Add(9 * time.Hour)
	got = append(r.tick(), r.tick()...)
	if len(got) != 1 || !strings.Contains(got[0].Text, "SET week of 2026-03-09") || !strings.Contains(got[0].Text, "primary @dave") {
		t.Fatalf("next week's report:\n%s", texts(got))
	}
	// alice and bob are not on next week's team: all three are flagged.
	if n := strings.Count(got[0].Text, ":warning: [SET-"); n != 3 {
		t.Errorf("%d tickets flagged, want 3:\n%s", n, got[0].Text)
	}
}

func TestMissedReportIsPostedLateTheSameDayOnly(t *testing.T) {
	r := newCycleRig(t, Reports{Start: &monNine, Handover: &friTwo})
	// setbot starts on Monday afternoon: the morning's report comes late.
	r.now = cycleMonday.Add(15 * time.Hour)
	got := r.tick()
	if len(got) != 1 || !strings.Contains(got[0].Text, "_This report was due at Mon 09:00 UTC; setbot was not running then._") {
		t.Fatalf("want the late start report, got:\n%s", texts(got))
	}
	// Down from Friday 13:00 to Saturday: the hand-over is not posted on
	// Saturday (its day is over), and not on the next Friday twice.
	r.now = cycleMonday.AddDate(0, 0, 5).Add(time.Minute) // Saturday 00:01
	r.open()
	if got := r.tick(); len(got) != 0 {
		t.Fatalf("a hand-over posted the day after:\n%s", texts(got))
	}
	r.now = cycleMonday.AddDate(0, 0, 11).Add(14 * time.Hour) // next Friday
	if got := r.tick(); len(got) != 1 || !strings.Contains(got[0].Text, "SET hand-over: week of 2026-03-09") {
		t.Fatalf("next Friday's hand-over:\n%s", texts(got))
	}
}

func TestReportForAPastWeekIsNeverPosted(t *testing.T) {
	sun := setbot.ReportTime{Day: time.Sunday, Hour: 23, Minute: 50}
	r := newCycleRig(t, Reports{Start: &sun})
	r.jira.listErr = setbot.Errorf(setbot.EUnavailable, "Jira is not answering.")
	r.now = cycleMonday.AddDate(0, 0, 6).Add(23*time.Hour + 50*time.Minute)
	if got := r.tick(); len(got) != 0 || r.pending() != 1 {
		t.Fatalf("want the report waiting for Jira, got %d jobs and:\n%s", r.pending(), texts(got))
	}
	// Jira answers again only after midnight: the week is over.
	r.jira.listErr = nil
	r.now = cycleMonday.AddDate(0, 0, 7).Add(time.Minute)
	r.open()
	if got := r.tick(); len(got) != 0 || r.pending() != 0 {
		t.Fatalf("a report for last week was posted (or kept): %d jobs,\n%s", r.pending(), texts(got))
	}
}

func TestReportWaitsForJiraThenPostsWithoutTickets(t *testing.T) {
	r := newCycleRig(t, Reports{Start: &monNine})
	r.jira.listErr = setbot.Errorf(setbot.EUnavailable, "Jira is not answering right now.")
	r.now = cycleMonday.Add(9 * time.Hour)
	if got := r.tick(); len(got) != 0 {
		t.Fatalf("posted while Jira is down, before the wait:\n%s", texts(got))
	}
	// Retries with backoff, across a restart, until reportJiraWait.
	for range 5 {
		r.now = r.now.Add(retryCap)
		r.open()
		if got := r.tick(); len(got) != 0 {
			t.Fatalf("posted at %s:\n%s", r.now, texts(got))
		}
	}
	if r.jira.lists < 4 {
		t.Errorf("Jira asked %d times in 25 minutes, want retries", r.jira.lists)
	}
	r.now = cycleMonday.Add(9*time.Hour + reportJiraWait + retryCap)
	got := r.tick()
	if len(got) != 1 {
		t.Fatalf("want the report without tickets, got:\n%s", texts(got))
	}
	for _, want := range []string{"On SET this week: lead @carol", ":warning: Jira could not be read (Jira is not answering right now), so the open tickets are not listed. Ask again later with `@setbot report`.", "##### Tracked incidents"} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("report lacks %q:\n%s", want, got[0].Text)
		}
	}
	if r.pending() != 0 {
		t.Errorf("%d jobs left", r.pending())
	}
}

func TestReportCommandInThread(t *testing.T) {
	r := newCycleRig(t, Reports{})
	r.now = cycleMonday.Add(50 * time.Hour)
	id := r.mention("sam", "report")
	r.drain()
	got := r.chat.take()
	if len(got) != 1 || got[0].RootID != id || !strings.Contains(got[0].Text, "start of the week") || !strings.Contains(got[0].Text, "SET-2") {
		t.Fatalf("want the report in the command's thread, got:\n%s", texts(got))
	}
	r.mention("sam", "report weekly")
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "is not a report") {
		t.Fatalf("unknown report kind:\n%s", texts(got))
	}
	// No scheduled report was configured, and none was posted.
	r.d.c.cycle.cycleReports(context.Background())
	if r.pending() != 0 {
		t.Error("a report was scheduled without [reports]")
	}
}

func TestHandoverAssignAll(t *testing.T) {
	r := newCycleRig(t, Reports{})
	r.now = cycleMonday.AddDate(0, 0, 4).Add(14 * time.Hour)
	id := r.mention("sam", "report handover")
	r.drain()
	got := r.chat.take()
	if len(got) != 1 {
		t.Fatalf("want one hand-over, got:\n%s", texts(got))
	}
	h := got[0]
	for _, want := range []string{
		"Incoming SET team: lead @erin · primary @dave · backup @sam",
		"##### Open tickets held by the outgoing team (2)",
		"`@alice` · updated 5d 14h ago → `@setbot assign SET-1 @dave`",
		"`@bob` · updated 4d 14h ago → `@setbot assign SET-3 @dave`",
	} {
		if !strings.Contains(h.Text, want) {
			t.Errorf("hand-over lacks %q:\n%s", want, h.Text)
		}
	}
	if strings.Contains(h.Text, "SET-2") || strings.Contains(h.Text, "gaps") {
		t.Errorf("hand-over lists the unassigned ticket or a gap:\n%s", h.Text)
	}
	if len(h.Buttons) != 1 || h.Buttons[0].Label != "Assign all to @dave" {
		t.Fatalf("buttons %+v", h.Buttons)
	}
	click := setbot.Click{UserID: "u-alice", Username: "alice", PostID: "p-report", ChannelID: "c-set", Action: h.Buttons[0].Action}
	if msg := r.d.Click(context.Background(), click); !strings.Contains(msg, "Only the SET leads and the rotation admins") {
		t.Errorf("alice (primary) may reassign all: %q", msg)
	}
	if r.pending() != 0 {
		t.Fatal("a refused click queued work")
	}
	click.UserID, click.Username = "u-carol", ""
	if msg := r.d.Click(context.Background(), click); msg != "Reassigning 2 ticket(s) to @dave." {
		t.Errorf("carol's click: %q", msg)
	}
	if msg := r.d.Click(context.Background(), click); !strings.Contains(msg, "already being reassigned") {
		t.Errorf("second click: %q", msg)
	}
	r.drain()
	calls := r.jira.takeCalls()
	for _, want := range []string{"assign SET-1 dave dave@example.com", "assign SET-3 dave dave@example.com"} {
		if !slices.Contains(calls, want) {
			t.Errorf("Jira calls %q lack %q", calls, want)
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(calls), func(c string) bool { return !strings.HasPrefix(c, "assign") })); n != 2 {
		t.Errorf("%d assign calls, want 2: %q", n, calls)
	}
	posts := r.chat.take()
	if len(posts) != 3 {
		t.Fatalf("want the note and two confirmations, got:\n%s", texts(posts))
	}
	for _, p := range posts {
		if p.RootID != id {
			t.Errorf("answer outside the report's thread: %+v", p)
		}
	}
	if !strings.Contains(texts(posts), "is now assigned to @dave") {
		t.Errorf("no confirmation:\n%s", texts(posts))
	}
}

func TestAssignAllActionRoundTrip(t *testing.T) {
	a := assignAllAction("dave", "root1", []setbot.IssueKey{"SET-1", "OPS-22"})
	to, root, keys, ok := parseAssignAll(a)
	if !ok || to != "dave" || root != "root1" || len(keys) != 2 || keys[1] != "OPS-22" {
		t.Errorf("parse(%q) = %s %s %v %v", a, to, root, keys, ok)
	}
	for _, bad := range []string{actionCycleAssign, actionCycleAssign + "dave::", actionCycleAssign + "dave::SET-x", actionCycleAssign + ":r:SET-1"} {
		if _, _, _, ok := parseAssignAll(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}

// mention posts "@setbot text" in ~sustained-engineering as user.
func (r *cycleRig) mention(user, text string) setbot.PostID { return r.post(user, "c-set", "", text) }

// BenchmarkCycleReportsIdleTick is the cost the report timer adds to every
// tick when both reports are configured and already sent.
func BenchmarkCycleReportsIdleTick(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "setbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := cycleMonday.AddDate(0, 0, 4).Add(15 * time.Hour)
	d := New(Config{Bot: setbot.User{Username: "setbot"}, SETChannel: "c-set", Now: func() time.Time { return now }, Log: zerolog.Nop(),
		Reports: Reports{Start: &monNine, Handover: &friTwo}}, newFakeChat(), db, Extensions{})
	d.c.cycle.cycleReports(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		d.c.cycle.cycleReports(context.Background())
	}
}

// TestReportAtMostOncePerTenMinutes: a second `report` in the same channel
// within ten minutes links the first instead of posting it again.
func TestReportAtMostOncePerTenMinutes(t *testing.T) {
	r := newCycleRig(t, Reports{})
	r.now = cycleMonday.Add(50 * time.Hour)
	first := r.mention("sam", "report")
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "start of the week") {
		t.Fatalf("first report:\n%s", texts(got))
	}
	r.now = r.now.Add(9 * time.Minute)
	r.mention("sam", "report")
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "9m ago") || !strings.Contains(got[0].Text, string(first)) {
		t.Fatalf("second report within ten minutes:\n%s", texts(got))
	}
	r.mention("sam", "report handover") // another kind is its own report
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "hand-over") {
		t.Fatalf("the hand-over report:\n%s", texts(got))
	}
	r.now = r.now.Add(2 * time.Minute)
	r.mention("sam", "report")
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "start of the week") {
		t.Fatalf("a report after ten minutes:\n%s", texts(got))
	}
}
