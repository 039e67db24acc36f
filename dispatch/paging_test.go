package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// fakeHook records webhook events; err is returned while set.
type fakeHook struct {
	mu     sync.Mutex
	events []setbot.PageHook
	err    error
}

func (h *fakeHook) Send(_ context.Context, e setbot.PageHook) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	h.events = append(h.events, e)
	return nil
}

func (h *fakeHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.Event+" "+e.Step+" "+e.Target+e.AckedBy)
	}
	h.events = nil
	return out
}

// pagingRig is the shared rig with a webhook, ack_within pgAckWithin, this
// week's rotation (primary alice, backup bob, lead carol) and an admin
// (erin).
type pagingRig struct {
	*rig
	hook *fakeHook
}

var pg0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday

const pgAckWithin = 15 * time.Minute

func newPagingRig(t testing.TB, weeks ...setbot.Week) *pagingRig {
	t.Helper()
	hook := &fakeHook{}
	return &pagingRig{rig: newRig(t, pg0, func(c *Config, e *Extensions) {
		c.AckWithin = pgAckWithin
		c.Rotation.Admins = []setbot.Username{"erin"}
		if weeks != nil {
			c.Rotation.Weeks = weeks
		}
		e.Webhook = hook
	}), hook: hook}
}

// open (re)starts the dispatcher on the store file, as a restart would.
func (r *pagingRig) open(testing.TB) { r.rig.open() }

// page posts "@setbot page text" in ~sustained-engineering as user.
func (r *pagingRig) page(user, text string) setbot.PostID {
	return r.post(user, "c-set", "", "page "+text)
}

// tick runs the ladder and the outbox as the timer loop would, and returns
// what was posted.
func (r *pagingRig) tick(t *testing.T) []setbot.Reply {
	t.Helper()
	for range 5 {
		r.d.c.paging.escalatePages(context.Background())
		runLanes(r.d)
	}
	return r.chat.take()
}

// live reports whether text mentions @name outside a code span, where
// Mattermost would notify.
func live(text, name string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "@"+name)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || text[at-1] != '`' {
			return true
		}
		i = at + 1
	}
}

func texts(rs []setbot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "[ch=%s to=%s root=%s buttons=%d] %s\n", r.ChannelID, r.To, r.RootID, len(r.Buttons), r.Text)
	}
	return b.String()
}

// wantStep checks that posts are exactly one ladder step for who: the
// mention in the thread and a DM, both with the Acknowledge button.
func wantStep(t *testing.T, posts []setbot.Reply, root setbot.PostID, who string, step setbot.PageStep) {
	t.Helper()
	if len(posts) != 2 {
		t.Fatalf("want the %s step (thread + DM), got %d posts:\n%s", step, len(posts), texts(posts))
	}
	th, dm := posts[0], posts[1]
	if th.ChannelID != "c-set" || th.RootID != root || !strings.HasPrefix(th.Text, "@"+who+" you are paged as SET "+step.String()) {
		t.Errorf("thread post: %s", texts(posts[:1]))
	}
	if dm.To != setbot.UserID("u-"+who) || !strings.Contains(dm.Text, "paged as SET "+step.String()) {
		t.Errorf("DM: %s", texts(posts[1:]))
	}
	for _, p := range posts {
		if len(p.Buttons) != 1 || p.Buttons[0].Label != "Acknowledge" || !strings.HasPrefix(p.Buttons[0].Action, actionAck) {
			t.Errorf("post without the Acknowledge button: %+v", p)
		}
	}
}

// pageAndStep pages, runs a tick, checks the answer and returns the page's
// thread and the primary's step.
func (r *pagingRig) pageAndStep(t *testing.T, text string) (setbot.PostID, []setbot.Reply) {
	t.Helper()
	root := r.page("sam", text)
	got := r.tick(t)
	if len(got) == 0 || !strings.Contains(got[0].Text, "Paging the SET primary") || got[0].RootID != root {
		t.Fatalf("page answer:\n%s", texts(got))
	}
	wantStep(t, got[1:], root, "alice", setbot.StepPrimary)
	return root, got[1:]
}

func TestLadderEscalatesPrimaryBackupLead(t *testing.T) {
	r := newPagingRig(t)
	root, first := r.pageAndStep(t, "checkout is down for @channel")
	if live(texts(first), "channel") || live(texts(first), "sam") {
		t.Errorf("a page repeats a live mention:\n%s", texts(first))
	}

	r.now = r.now.Add(pgAckWithin - time.Second)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("paged before ack_within passed:\n%s", texts(got))
	}
	r.now = r.now.Add(time.Second)
	wantStep(t, r.tick(t), root, "bob", setbot.StepBackup)
	r.now = r.now.Add(pgAckWithin)
	lead := r.tick(t)
	wantStep(t, lead, root, "carol", setbot.StepLead)
	if !strings.Contains(lead[0].Text, "not acknowledged in time") {
		t.Errorf("the lead's page does not say why: %q", lead[0].Text)
	}
	if !strings.Contains(lead[0].Text, "I page everyone on SET together (round 1 of 3)") {
		t.Errorf("the lead's page does not say what comes next: %q", lead[0].Text)
	}
	// Nobody acknowledges: three rounds of everyone together, then the
	// admins are told, once.
	for round := 1; round <= setbot.PageRounds; round++ {
		r.now = r.now.Add(pgAckWithin)
		got := r.tick(t)
		if len(got) != 4 || !strings.HasPrefix(got[0].Text, "@carol @alice @bob nobody has acknowledged") ||
			!strings.Contains(got[0].Text, fmt.Sprintf("round %d of 3", round)) || got[0].RootID != root {
			t.Fatalf("round %d:\n%s", round, texts(got))
		}
		for i, who := range []setbot.UserID{"u-carol", "u-alice", "u-bob"} {
			if got[i+1].To != who || len(got[i+1].Buttons) != 1 {
				t.Errorf("round %d DM %d: %s", round, i, texts(got[i+1:i+2]))
			}
		}
	}
	r.now = r.now.Add(pgAckWithin)
	end := r.tick(t)
	if len(end) != 2 || end[0].RootID != "" || !strings.HasPrefix(end[0].Text, "@erin: nobody acknowledged") ||
		end[1].RootID != root || !strings.Contains(end[1].Text, "told the rotation admins") {
		t.Fatalf("giving up:\n%s", texts(end))
	}
	r.now = r.now.Add(10 * pgAckWithin)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("the ladder went on after giving up:\n%s", texts(got))
	}
	if live(texts(lead), "channel") {
		t.Errorf("a page repeats a live @channel:\n%s", texts(lead))
	}
	want := []string{"page primary alice", "page backup bob", "page lead carol", "page round 1 carol alice bob", "page round 2 carol alice bob", "page round 3 carol alice bob", "page give up "}
	if got := r.hook.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("webhook got %q, want %q", got, want)
	}
}

func TestAckButtonStopsTheLadder(t *testing.T) {
	r := newPagingRig(t)
	root, step := r.pageAndStep(t, "search is broken")

	r.now = r.now.Add(3 * time.Minute)
	click := setbot.Click{UserID: "u-alice", Username: "alice", Action: step[1].Buttons[0].Action}
	if got := r.d.Click(context.Background(), click); !strings.Contains(got, "acknowledged") {
		t.Errorf("click answer %q", got)
	}
	got := r.tick(t)
	if len(got) != 1 || got[0].RootID != root || !strings.Contains(got[0].Text, "Acknowledged by @alice at 2026-03-04 10:03 UTC (3m0s after the page)") {
		t.Fatalf("ack post:\n%s", texts(got))
	}
	r.now = r.now.Add(5 * pgAckWithin)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("paged after the acknowledgement:\n%s", texts(got))
	}
	// A second click (the backup, late) changes nothing and says so.
	click.UserID, click.Username = "u-bob", "bob"
	if got := r.d.Click(context.Background(), click); !strings.Contains(got, "already") {
		t.Errorf("second click answer %q", got)
	}
	if got := r.tick(t); len(got) != 1 || !strings.Contains(got[0].Text, "already acknowledged by `@alice`") {
		t.Errorf("second click post:\n%s", texts(got))
	}
	if got := r.hook.take(); fmt.Sprint(got) != "[page primary alice ack  alice]" {
		t.Errorf("webhook got %q", got)
	}
	p, _, _ := r.db.Page(string(root))
	if p.AckedBy != "alice" || p.Step != setbot.StepPrimary {
		t.Errorf("stored page %+v", p)
	}
}

func TestAckButtonWithoutUsernameLooksItUp(t *testing.T) {
	r := newPagingRig(t)
	root, _ := r.pageAndStep(t, "search is broken")
	r.d.Click(context.Background(), setbot.Click{UserID: "u-bob", Action: actionAck + string(root)})
	if p, _, _ := r.db.Page(string(root)); p.AckedBy != "bob" {
		t.Errorf("acked by %q, want bob", p.AckedBy)
	}
}

func TestAckCommandInThread(t *testing.T) {
	r := newPagingRig(t)
	root, _ := r.pageAndStep(t, "logins fail")
	r.now = r.now.Add(pgAckWithin)
	wantStep(t, r.tick(t), root, "bob", setbot.StepBackup)
	r.seq++
	r.d.handle(context.Background(), setbot.Message{ID: "ack1", ChannelID: "c-set", RootID: root, Kind: setbot.ChannelSET,
		UserID: "u-bob", Username: "bob", Text: "@setbot ack", Mentioned: true, At: r.now})
	got := r.tick(t)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Acknowledged by @bob") {
		t.Fatalf("ack answer:\n%s", texts(got))
	}
	r.now = r.now.Add(pgAckWithin)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("the lead was paged after the backup acknowledged:\n%s", texts(got))
	}
	// Replaying the same post (the websocket and catch-up both deliver it)
	// does nothing.
	r.d.handle(context.Background(), setbot.Message{ID: "ack1", ChannelID: "c-set", RootID: root, Kind: setbot.ChannelSET,
		UserID: "u-bob", Username: "bob", Text: "@setbot ack", Mentioned: true, At: r.now})
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("a replayed ack posted again:\n%s", texts(got))
	}
}

func TestLadderRestartMidLadderNeitherRepeatsNorSkips(t *testing.T) {
	r := newPagingRig(t)
	root, _ := r.pageAndStep(t, "the database is full")

	// Down for longer than ack_within; the restarted setbot pages the backup
	// once, does not page the primary again, and waits ack_within for the lead.
	r.now = r.now.Add(pgAckWithin + 7*time.Minute)
	r.open(t)
	wantStep(t, r.tick(t), root, "bob", setbot.StepBackup)
	r.open(t)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("a second restart repeated a step:\n%s", texts(got))
	}
	r.now = r.now.Add(pgAckWithin)
	wantStep(t, r.tick(t), root, "carol", setbot.StepLead)
}

func TestStepPostsSurviveACrashBeforeTheyAreSent(t *testing.T) {
	r := newPagingRig(t)
	root := r.page("sam", "the database is full")
	r.d.c.runDue(context.Background(), laneChat)
	r.chat.take()
	// The step is claimed with its posts in one transaction; a crash before
	// the outbox runs loses nothing and repeats nothing.
	r.d.c.paging.escalatePages(context.Background())
	r.open(t)
	wantStep(t, r.tick(t), root, "alice", setbot.StepPrimary)
}

func TestWebhookOutageNeverHoldsUpTheLadder(t *testing.T) {
	r := newPagingRig(t)
	r.hook.err = setbot.Errorf(setbot.EUnavailable, "The page webhook at https://pager.example.com did not answer.")
	root, _ := r.pageAndStep(t, "pages are slow")
	r.now = r.now.Add(pgAckWithin)
	wantStep(t, r.tick(t), root, "bob", setbot.StepBackup)
	jobs, err := r.db.DueJobs(r.now.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].Kind != jobPageHook || jobs[0].Attempts == 0 {
		t.Fatalf("webhook jobs waiting: %+v", jobs)
	}
	r.hook.err = nil
	r.now = r.now.Add(time.Hour)
	r.tick(t)
	if got := r.hook.take(); fmt.Sprint(got) != "[page primary alice page backup bob page lead carol]" {
		t.Errorf("after the outage the webhook got %q", got)
	}
}

func TestNobodyOnTheRotationIsSaidOnce(t *testing.T) {
	r := newPagingRig(t, setbot.Week{Starts: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), Primary: "alice"})
	root := r.page("sam", "help")
	got := r.tick(t)
	if len(got) != 2 || got[1].RootID != root || !strings.Contains(got[1].Text, "Nobody is on the SET rotation") {
		t.Fatalf("empty week:\n%s", texts(got))
	}
	r.now = r.now.Add(time.Hour)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("said twice:\n%s", texts(got))
	}
}

func urgentIntake(p setbot.Priority, summary string) setbot.Intake {
	return setbot.Intake{ID: "in-1", Reporter: "u-sam", Username: "sam", Summary: summary, Priority: p}
}

func (r *pagingRig) confirm(t *testing.T, in setbot.Intake) {
	t.Helper()
	if err := r.db.Update(r.now, func(tx *store.Tx) error { return r.d.c.paging.autoPageIntake(tx, in) }); err != nil {
		t.Fatal(err)
	}
}

func (r *pagingRig) filed(t *testing.T, in setbot.Intake) {
	t.Helper()
	issue := setbot.Issue{Key: "SET-42", URL: "https://jira.example.com/browse/SET-42"}
	if err := r.db.Update(r.now, func(tx *store.Tx) error { return r.d.c.paging.pageFiled(tx, in, issue, true) }); err != nil {
		t.Fatal(err)
	}
}

func TestL1IntakePagesInItsOwnThreadOnce(t *testing.T) {
	r := newPagingRig(t)
	in := urgentIntake(setbot.L1, "@channel all logins fail, ask @here")
	r.confirm(t, in)
	r.confirm(t, in) // a replayed confirmation pages nobody twice
	got := r.tick(t)
	if len(got) != 3 {
		t.Fatalf("want the page's first post and the primary's step, got:\n%s", texts(got))
	}
	opening := got[0]
	if opening.ChannelID != "c-set" || opening.RootID != "" || !strings.Contains(opening.Text, "Automatic page") ||
		!strings.Contains(opening.Text, "L1 intake from @\u200dsam") || !strings.Contains(opening.Text, "all logins fail") {
		t.Errorf("opening post: %s", texts(got[:1]))
	}
	for _, name := range []string{"channel", "here", "sam"} {
		if live(texts(got), name) {
			t.Errorf("the page mentions @%s:\n%s", name, texts(got))
		}
	}
	root := setbot.PostID("post-1")
	wantStep(t, got[1:], root, "alice", setbot.StepPrimary)

	r.filed(t, in)
	got = r.tick(t)
	const link = "[SET-42](https://jira.example.com/browse/SET-42)"
	if len(got) != 2 || got[0].RootID != root || got[0].Text != "Ticket filed: "+link+"." {
		t.Fatalf("ticket link:\n%s", texts(got))
	}
	if got[1].To != "u-alice" || !strings.Contains(got[1].Text, "now has its ticket: "+link) {
		t.Errorf("the primary, paged before the ticket existed, is not told its link:\n%s", texts(got[1:]))
	}
	r.filed(t, in)
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("the link was posted twice:\n%s", texts(got))
	}
	p, ok, _ := r.db.Page(autoPageID(in))
	if !ok || p.Issue != "SET-42" || p.Root != root {
		t.Errorf("stored page %+v", p)
	}
	if got := r.hook.take(); len(got) != 1 || got[0] != "page primary alice" {
		t.Errorf("webhook %q", got)
	}
	r.now = r.now.Add(pgAckWithin) // the backup's page names the ticket
	if got := r.tick(t); len(got) != 2 || !strings.Contains(got[0].Text, "Ticket: "+link) || !strings.Contains(got[1].Text, "Ticket: "+link) {
		t.Errorf("the backup's step:\n%s", texts(got))
	}
}

func TestTicketFiledBeforeThePageThreadOpens(t *testing.T) {
	r := newPagingRig(t)
	in := urgentIntake(setbot.L1, "data loss")
	r.confirm(t, in)
	r.filed(t, in) // Jira answered before the chat lane ran
	r.d.c.runDue(context.Background(), laneChat)
	got := r.chat.take()
	if len(got) == 0 || !strings.Contains(got[0].Text, "Automatic page") {
		t.Fatalf("opening:\n%s", texts(got))
	}
	// The link follows in the thread as soon as it is open: in the same
	// run of the lane, or at the latest on the next tick.
	got = append(got[1:], r.tick(t)...)
	var links int
	for _, p := range got {
		if strings.Contains(p.Text, "Ticket filed: [SET-42]") && p.RootID == "post-1" {
			links++
		}
	}
	if links != 1 {
		t.Fatalf("want the link once in the page's thread, got:\n%s", texts(got))
	}
}

func TestOnlyUrgentIntakesPage(t *testing.T) {
	for _, tc := range []struct {
		p      setbot.Priority
		pageL2 bool
		pages  bool
	}{
		{setbot.L1, false, true}, {setbot.L2, false, false}, {setbot.L2, true, true},
		{setbot.L3, true, false}, {setbot.L4, true, false},
	} {
		r := newPagingRig(t)
		r.cfg.PageL2 = tc.pageL2
		r.open(t)
		in := urgentIntake(tc.p, "x")
		r.confirm(t, in)
		r.filed(t, in)
		_, ok, _ := r.db.Page(autoPageID(in))
		if got := len(r.tick(t)) > 0; ok != tc.pages || got != tc.pages {
			t.Errorf("%s with page_l2=%v: page stored %v, posted %v; want %v", tc.p, tc.pageL2, ok, got, tc.pages)
		}
	}
}

// BenchmarkEscalateIdleTick is one timer tick over 1,000 open pages that
// are all waiting for their acknowledgement: the cost every tick pays.
func BenchmarkEscalateIdleTick(b *testing.B) {
	r := newPagingRig(b)
	for i := range 1000 {
		if err := r.db.AddPage(setbot.Page{ID: fmt.Sprintf("p%d", i), Text: "x", Channel: "c-set", Root: setbot.PostID(fmt.Sprintf("r%d", i)),
			Created: r.now, Step: setbot.StepPrimary, SteppedAt: r.now, Targets: [3]setbot.Username{"alice"}}, r.now); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		r.d.c.paging.escalatePages(context.Background())
	}
	if n := len(r.chat.take()); n != 0 {
		b.Fatalf("an idle tick posted %d times", n)
	}
}

// BenchmarkPageStep is one ladder step: decide, claim in the store with its
// posts and webhook job, on a real store file.
func BenchmarkPageStep(b *testing.B) {
	r := newPagingRig(b)
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("p%d", i)
		if err := r.db.AddPage(setbot.Page{ID: id, Text: "x", Channel: "c-set", Root: "r", Created: r.now}, r.now); err != nil {
			b.Fatal(err)
		}
		r.d.c.paging.claimStep(id, setbot.Shift{Primary: "alice", Backup: "bob", Lead: "carol"}, map[setbot.Username]setbot.User{"alice": {ID: "u-alice", Username: "alice"}})
	}
}

// TestOldPagesArePruned: housekeeping forgets pages whose ladder ended long
// ago, so the ladder's scan does not grow forever.
func TestOldPagesArePruned(t *testing.T) {
	r := newPagingRig(t)
	r.page("dave", "checkout is down")
	if open, _ := r.db.OpenPages(); len(open) != 1 {
		t.Fatalf("%d open pages, want 1", len(open))
	}
	r.d.c.prune(r.now.Add(pageRetention - time.Minute))
	if open, _ := r.db.OpenPages(); len(open) != 1 {
		t.Fatalf("a page younger than %s was pruned", pageRetention)
	}
	r.d.c.prune(r.now.Add(pageRetention + time.Minute))
	if open, _ := r.db.OpenPages(); len(open) != 0 {
		t.Fatalf("%d pages left after %s, want 0", len(open), pageRetention)
	}
}

// TestChatLaneIsNotStarvedByJiraJobs: a backlog of due Jira jobs larger
// than one scan does not hide a reply from the chat lane.
func TestChatLaneIsNotStarvedByJiraJobs(t *testing.T) {
	r := newPagingRig(t)
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		for i := range jobsPerScan + 10 {
			if _, err := tx.Enqueue(jobFile, fmt.Sprint("intake-", i), filing{}, time.Time{}); err != nil {
				return err
			}
		}
		return enqueueReplies(tx, []setbot.Reply{{ChannelID: "c-set", Text: "still answered"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	r.d.c.runDue(context.Background(), laneChat)
	if posts := r.chat.take(); len(posts) != 1 || posts[0].Text != "still answered" {
		t.Fatalf("chat lane posted %+v behind %d Jira jobs; want the reply", posts, jobsPerScan+10)
	}
}

// TestPruneKeepsMarksForTheConfiguredRetention: [store] retention decides
// how long handled marks live.
func TestPruneKeepsMarksForTheConfiguredRetention(t *testing.T) {
	r := newPagingRig(t)
	r.cfg.Retention = 2 * 24 * time.Hour
	r.open(t)
	if _, err := r.db.Handle("p-old", r.now, func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	r.d.c.prune(r.now.Add(47 * time.Hour))
	if seen, _ := r.db.Seen("p-old"); !seen {
		t.Fatal("a mark younger than the retention was pruned")
	}
	r.d.c.prune(r.now.Add(49 * time.Hour))
	if seen, _ := r.db.Seen("p-old"); seen {
		t.Fatal("a mark older than the configured retention was kept (the default is 14 days)")
	}
}

// TestPageStepsHaveALaneOfTheirOwn: with hundreds of replies waiting in
// the chat lane (one person flooding setbot's DMs), a page step's posts
// run in the page lane, not behind them.
func TestPageStepsHaveALaneOfTheirOwn(t *testing.T) {
	r := newPagingRig(t)
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		for range 300 {
			if err := enqueueReplies(tx, []setbot.Reply{{To: "u-sam", Text: "a reply"}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.page("sam", "checkout is down")
	r.d.c.paging.escalatePages(context.Background())
	r.d.c.runDue(context.Background(), lanePage)
	posts := r.chat.take()
	if len(posts) != 2 || !strings.HasPrefix(posts[0].Text, "@alice you are paged") || posts[1].To != "u-alice" {
		t.Fatalf("the page lane alone posted:\n%s", texts(posts))
	}
}

// TestPagePagesThePrimaryWithoutWaitingForATick: with the timer ticking
// once an hour, a page's first step still goes out at once: creating the
// page asks the timer loop for a pass.
func TestPagePagesThePrimaryWithoutWaitingForATick(t *testing.T) {
	r := newPagingRig(t)
	r.cfg.Tick = time.Hour
	passes := &passMeter{passed: make(chan struct{}, 10)}
	r.ext.Meter = passes
	r.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.d.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	<-passes.passed // the first pass is over: the next tick is an hour away
	r.d.Deliver(setbot.Message{ID: "pg-now", ChannelID: "c-set", Kind: setbot.ChannelSET, UserID: "u-sam", Username: "sam",
		Text: "@setbot page the database is down", Mentioned: true, At: r.now})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.chat.mu.Lock()
		paged := false
		for _, p := range r.chat.posts {
			paged = paged || p.To == "u-alice"
		}
		r.chat.mu.Unlock()
		if paged {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the primary was not paged within 10 s with the timer ticking hourly")
		}
	}
}

// passMeter tells when a timer pass has run.
type passMeter struct {
	noMeter
	passed chan struct{}
}

func (m *passMeter) TimerPass(time.Time) {
	select {
	case m.passed <- struct{}{}:
	default:
	}
}

// TestTimerWakesWhenTheNextStepIsDue: with an hourly tick, the timer loop
// sleeps only until the page's next step is due, so steps go out on time.
func TestTimerWakesWhenTheNextStepIsDue(t *testing.T) {
	r := newPagingRig(t)
	r.cfg.Tick = time.Hour
	r.open(t)
	if w := r.d.c.untilNextPass(); w != time.Hour {
		t.Fatalf("no page: sleeps %s, want the tick", w)
	}
	r.page("sam", "the database is down")
	r.tick(t) // the primary is paged
	r.now = r.now.Add(time.Minute)
	r.d.c.paging.escalatePages(context.Background())
	if w := r.d.c.untilNextPass(); w != pgAckWithin-time.Minute {
		t.Errorf("sleeps %s, want until the backup is due (%s)", w, pgAckWithin-time.Minute)
	}
}
