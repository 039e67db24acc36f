//go:build e2e

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/e2e/mmtest"
)

// pagingSegment is the header segment of the rig's rotation.
const pagingSegment = "SET: lead @carol · primary @alice · backup @bob"

// TestE2EPagingWhoAndHeader: at start-up the ~sustained-engineering header
// gets the rotation's segment, the rest of the header as people wrote it;
// "@setbot who" names the lead, primary and backup.
func TestE2EPagingWhoAndHeader(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	people := "Welcome to SET: read the runbook before paging"
	stale := people + " | SET: lead @dave · primary nobody · backup nobody"
	if _, _, err := w.Admin.PatchChannel(ctx, w.SET.Id, &model.ChannelPatch{Header: &stale}); err != nil {
		t.Fatal(err)
	}
	p := person(t, w, "support1")
	startMark := p.Mark()
	r := newRig(t, w, "")
	r.start(t)

	want := people + " | " + pagingSegment
	var header string
	for deadline := time.Now().Add(replyTimeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ch, _, err := w.Admin.GetChannel(ctx, w.SET.Id)
		if err != nil {
			t.Fatal(err)
		}
		if header = ch.Header; header == want {
			break
		}
	}
	if header != want {
		t.Fatalf("channel header = %q, want %q", header, want)
	}

	// The rig's rotation has only this week: next week's empty seats are
	// reported to the lead who can fill them, with the command, in one post.
	next := time.Now().UTC().AddDate(0, 0, 1)
	for next.Weekday() != time.Monday {
		next = next.AddDate(0, 0, 1)
	}
	week := next.Format("2006-01-02")
	gap := mmtest.Containing(mmtest.Containing(p.FromBot(w.SET.Id, ""), "@carol: the SET rotation has gaps in the coming weeks:"),
		"\n- the week of "+week+": nobody is the SET primary. Fix it with `@setbot override "+week+" primary @someone`.")
	if _, err := p.WaitFor(ctx, startMark, gap, replyTimeout); err != nil {
		t.Errorf("no gap report for next week's primary: %v", err)
	}

	mark := p.Mark()
	post, err := p.Post(ctx, w.SET.Id, "", "@setbot who")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := p.WaitFor(ctx, mark, p.FromBot(w.SET.Id, post.Id), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply.Message, "lead `@carol` · primary `@alice` · backup `@bob`") {
		t.Errorf("who answered %q", reply.Message)
	}
}

// hookSink is an outside pager: it records the webhook's events.
type hookSink struct {
	mu     sync.Mutex
	events []string
}

func newHookSink(t *testing.T) (*hookSink, string) {
	t.Helper()
	s := &hookSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h setbot.PageHook
		if err := json.NewDecoder(r.Body).Decode(&h); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.events = append(s.events, strings.TrimSpace(h.Event+" "+h.Step+" "+h.Target+h.AckedBy))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *hookSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// pager is a person who gets paged: their DM with setbot is watched.
type pager struct {
	p  *mmtest.Person
	dm string
}

func newPager(t *testing.T, w *mmtest.World, name string) *pager {
	t.Helper()
	p := person(t, w, name)
	dm, err := p.DMChannel(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &pager{p: p, dm: dm}
}

// waitPaged waits for the DM that pages this person as step about text.
func (g *pager) waitPaged(t *testing.T, mark mmtest.Mark, step, text string, within time.Duration) *model.Post {
	t.Helper()
	match := mmtest.Containing(mmtest.Containing(g.p.FromBot(g.dm, ""), "paged as SET "+step), text)
	post, err := g.p.WaitFor(context.Background(), mark, match, within)
	if err != nil {
		t.Fatalf("%s was not paged as %s: %v", g.p.User.Username, step, err)
	}
	return post
}

// steps counts the ladder steps setbot posted in a page's thread, by who.
func steps(p *mmtest.Person, mark mmtest.Mark, channel, root string) map[string]int {
	out := map[string]int{}
	for _, post := range p.Matching(mark, p.FromBot(channel, root)) {
		for _, who := range []string{"alice", "bob", "carol"} {
			if strings.HasPrefix(post.Message, "@"+who+" you are paged as SET") {
				out[who]++
			}
		}
	}
	return out
}

// TestE2EPagingLadderReachesBackupThenLead: with ack_within 3s, nobody
// acknowledges: the primary, the backup and then the lead are each paged
// once, in the page's thread and by DM, and the webhook hears every step
// without its secret reaching the logs.
func TestE2EPagingLadderReachesBackupThenLead(t *testing.T) {
	w := theWorld(t)
	sink, hookURL := newHookSink(t)
	const secret = "pager-secret-5d1c"
	r := newRig(t, w, fmt.Sprintf("[escalation]\nack_within = \"3s\"\nwebhook_url = %q\n", hookURL+"/hook/"+secret+"?token="+secret))
	run := r.start(t)
	ctx := context.Background()
	sup := person(t, w, "support1")
	alice, bob, carol := newPager(t, w, "alice"), newPager(t, w, "bob"), newPager(t, w, "carol")
	marks := []mmtest.Mark{sup.Mark(), alice.p.Mark(), bob.p.Mark(), carol.p.Mark()}

	text := fmt.Sprintf("checkout is down for Acme (ladder %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	alice.waitPaged(t, marks[1], "primary", text, replyTimeout)
	bob.waitPaged(t, marks[2], "backup", text, replyTimeout)
	carol.waitPaged(t, marks[3], "lead", text, replyTimeout)
	if took := time.Since(start); took < 6*time.Second {
		t.Errorf("the lead was paged %s after the page; with ack_within 3s that is at least 6s", took)
	}
	for _, who := range []string{"alice", "bob", "carol"} {
		if _, err := sup.WaitFor(ctx, marks[0], mmtest.Containing(sup.FromBot(w.SET.Id, post.Id), "@"+who+" you are paged"), replyTimeout); err != nil {
			t.Errorf("the thread does not page %s: %v", who, err)
		}
	}
	settle(t, w, run.main.Addr, sup, time.Now().Add(4*time.Second)) // past ack_within after the lead: no single step again
	if got := steps(sup, marks[0], w.SET.Id, post.Id); fmt.Sprint(got) != "map[alice:1 bob:1 carol:1]" {
		t.Errorf("steps in the thread: %v, want each person paged once", got)
	}
	want := []string{"page primary alice", "page backup bob", "page lead carol"}
	for deadline := time.Now().Add(replyTimeout); time.Now().Before(deadline) && len(sink.got()) < len(want); {
		time.Sleep(100 * time.Millisecond)
	}
	if got := sink.got(); len(got) < len(want) || fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
		t.Errorf("webhook got %q, want %q first (the rounds after the lead follow)", got, want)
	}
	// Nobody acknowledges: everyone is paged together three times, then
	// the lead (the rig has no admins) is told in the channel.
	for round := 1; round <= 3; round++ {
		if _, err := carol.p.WaitFor(ctx, marks[3], mmtest.Containing(carol.p.FromBot(carol.dm, ""), fmt.Sprintf("round %d of 3", round)), replyTimeout); err != nil {
			t.Fatalf("round %d did not reach carol: %v", round, err)
		}
	}
	gaveUp := func(p *model.Post) bool {
		return p.UserId == w.Bot.Id && p.ChannelId == w.SET.Id && p.RootId == "" &&
			strings.HasPrefix(p.Message, "@carol: nobody acknowledged") && strings.Contains(p.Message, text)
	}
	if _, err := sup.WaitFor(ctx, marks[0], gaveUp, replyTimeout); err != nil {
		t.Fatalf("nobody was told that the page went unacknowledged: %v\n%s", err, sup.Recent(5))
	}
	run.stop(t)
	if strings.Contains(run.logs.String(), secret) {
		t.Errorf("the webhook's secret appears in setbot's logs")
	}
}

// TestE2EPagingAcknowledgeButtonStopsTheLadder: the primary clicks the
// Acknowledge button in their DM (the real server calls setbot's HTTP
// endpoint); the thread says who acknowledged, and nobody else is paged.
func TestE2EPagingAcknowledgeButtonStopsTheLadder(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"5s\"\n")
	run := r.start(t)
	ctx := context.Background()
	sup := person(t, w, "support1")
	alice := newPager(t, w, "alice")
	supMark, aliceMark := sup.Mark(), alice.p.Mark()
	text := fmt.Sprintf("search returns nothing (ack %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	dm := alice.waitPaged(t, aliceMark, "primary", text, replyTimeout)
	if err := alice.p.Click(ctx, dm, "Acknowledge"); err != nil {
		t.Fatal(err)
	}
	if _, err := sup.WaitFor(ctx, supMark, mmtest.Containing(sup.FromBot(w.SET.Id, post.Id), "Acknowledged by @alice"), replyTimeout); err != nil {
		t.Fatal(err)
	}
	settle(t, w, run.main.Addr, sup, time.Now().Add(6*time.Second)) // past ack_within: the backup would have been due
	if got := steps(sup, supMark, w.SET.Id, post.Id); fmt.Sprint(got) != "map[alice:1]" {
		t.Errorf("steps in the thread after the acknowledgement: %v, want only alice's", got)
	}
}

// TestE2EPagingRestartMidLadderPagesEachStepOnce: setbot stops after paging
// the primary and comes back after ack_within: it pages the backup, then
// the lead, and nobody twice.
func TestE2EPagingRestartMidLadderPagesEachStepOnce(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"4s\"\n")
	run := r.start(t)
	ctx := context.Background()
	sup := person(t, w, "support1")
	alice, carol := newPager(t, w, "alice"), newPager(t, w, "carol")
	supMark, aliceMark, carolMark := sup.Mark(), alice.p.Mark(), carol.p.Mark()
	text := fmt.Sprintf("uploads fail (restart %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, aliceMark, "primary", text, replyTimeout)
	run.stop(t)
	time.Sleep(5 * time.Second) // the backup is due while setbot is down
	run = r.start(t)
	if _, err := sup.WaitFor(ctx, supMark, mmtest.Containing(sup.FromBot(w.SET.Id, post.Id), "@bob you are paged"), replyTimeout); err != nil {
		t.Fatal(err)
	}
	carol.waitPaged(t, carolMark, "lead", text, replyTimeout)
	settle(t, w, run.main.Addr, sup, time.Now().Add(5*time.Second)) // past ack_within after the lead
	if got := steps(sup, supMark, w.SET.Id, post.Id); fmt.Sprint(got) != "map[alice:1 bob:1 carol:1]" {
		t.Errorf("steps in the thread across the restart: %v, want each person paged once", got)
	}
}

// TestE2EPagingL1IntakePagesThePrimary: choosing L1 in an intake pages SET
// at once, before the intake is confirmed, in a thread of its own in
// ~sustained-engineering; the filed ticket's announcement joins that
// thread, so the page, the ticket and the incident share one thread.
func TestE2EPagingL1IntakePagesThePrimary(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"10m\"\n")
	r.start(t)
	alice := newPager(t, w, "alice")
	aliceMark := alice.p.Mark()
	c := newChatter(t, w, "support2")
	c.startIntake()
	c.answerToPriority("L1", "paging the SET team now") // and asks for config.json
	// Paged before the remaining questions are even answered.
	alice.waitPaged(t, aliceMark, "primary", "L1 intake from", replyTimeout)
	opening := func(post *model.Post) bool {
		return post.UserId == w.Bot.Id && post.ChannelId == w.SET.Id && post.RootId == "" &&
			strings.Contains(post.Message, "**Automatic page**") && strings.Contains(post.Message, "L1 intake from @\u200dsupport2") &&
			strings.Contains(post.Message, "Acme Corp")
	}
	root, err := alice.p.WaitFor(c.ctx, aliceMark, opening, replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c.answerFiles(false)
	key := c.confirm()
	for _, want := range []string{"@alice you are paged as SET primary", "New SET ticket [" + key + "]"} {
		if _, err := alice.p.WaitFor(c.ctx, aliceMark, mmtest.Containing(alice.p.FromBot(w.SET.Id, root.Id), want), replyTimeout); err != nil {
			t.Errorf("the page's thread lacks %q: %v", want, err)
		}
	}
	// alice was paged before the ticket existed: she is sent its link.
	if _, err := alice.p.WaitFor(c.ctx, aliceMark, mmtest.Containing(alice.p.FromBot(alice.dm, ""), "now has its ticket: ["+key+"]"), replyTimeout); err != nil {
		t.Errorf("the paged primary was not sent the ticket's link: %v", err)
	}
}
