package dispatch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// triageRig is the cycle rig (this week: lead carol, primary alice, backup
// bob; Monday 2026-03-02) with the stale digest at 09:30 and the watch on.
// Its Jira holds SET-1 (L1, alice, updated a day before Monday 00:00),
// SET-2 (L3, unassigned, 3 days) and SET-3 (L2, bob, Monday 00:00).
type triageRig struct{ *cycleRig }

var digestAt = 9*time.Hour + 30*time.Minute

func newTriageRig(t *testing.T) *triageRig {
	t.Helper()
	r := &triageRig{newCycleRig(t, Reports{})}
	r.cfg.StaleDigest = &digestAt
	r.cfg.Watch = setbot.WatchPolicy{FirstResponse: time.Hour, Location: time.UTC, Targets: setbot.DefaultWatchTargets,
		AskAfter: 2 * time.Hour, AskSweep: []time.Duration{10 * time.Hour}}
	r.open()
	return r
}

// digest runs the digest timer and the jobs at the rig's time.
func (r *triageRig) digest() []setbot.Reply {
	r.t.Helper()
	r.d.c.triage.tick(context.Background(), r.now)
	r.drain()
	return r.chat.take()
}

func TestStaleDigestOncePerWeekdayMentioningEachAssigneeOnce(t *testing.T) {
	r := newTriageRig(t)
	r.jira.open = append(r.jira.open,
		setbot.Issue{Key: "SET-4", Summary: "Old L3 of alice's", Priority: setbot.L3, Assignee: "alice", Updated: cycleMonday.AddDate(0, 0, -9)},
		setbot.Issue{Key: "SET-5", Summary: "Fresh L4", Priority: setbot.L4, Assignee: "bob", Updated: cycleMonday.AddDate(0, 0, -9)})
	r.now = cycleMonday.AddDate(0, 0, 1).Add(digestAt - time.Second) // Tuesday 09:29:59
	if got := r.digest(); len(got) != 0 {
		t.Fatalf("digest before its time:\n%s", texts(got))
	}
	r.now = r.now.Add(time.Second)
	got := r.digest()
	if len(got) != 1 {
		t.Fatalf("want one digest at 09:30, got:\n%s", texts(got))
	}
	d := got[0]
	if d.ChannelID != "c-set" || d.RootID != "" {
		t.Errorf("digest posted as %+v, want the root of the day's thread in ~sustained-engineering", d)
	}
	// Stale on Tuesday 09:30: SET-1 (L1, 1d 9h > 1d), SET-2 (L3, 4d 9h <
	// 7d: fresh), SET-3 (L2, 1d 9h < 2d: fresh), SET-4 (L3, 10d > 7d),
	// SET-5 (L4, 10d < 14d: fresh).
	for _, want := range []string{
		"#### Stale SET tickets: 2 with no Jira update for longer than their level allows (L1 1d, L2 2d, L3 7d, L4 14d)",
		"@alice\n- [SET-1](https://jira.example.com/browse/SET-1) · L1 · Login fails · no update for 2d 9h\n- SET-4 · L3 · Old L3 of alice's · no update for 10d 9h",
	} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, d.Text)
		}
	}
	if n := strings.Count(d.Text, "@alice"); n != 1 {
		t.Errorf("alice mentioned %d times, want once:\n%s", n, d.Text)
	}
	for _, not := range []string{"SET-2", "SET-3", "SET-5", "@bob"} {
		if strings.Contains(d.Text, not) {
			t.Errorf("digest names %s:\n%s", not, d.Text)
		}
	}
	if n, known := r.d.StaleTickets(); n != 2 || !known {
		t.Errorf("StaleTickets = %d, %v; want 2, true", n, known)
	}
	// Later the same day, and after a restart: nothing more.
	r.now = r.now.Add(time.Hour)
	r.open()
	if got := r.digest(); len(got) != 0 {
		t.Fatalf("a second digest the same day:\n%s", texts(got))
	}
	// The day's ~Ask R&D sweep goes to the same thread.
	if root, err := r.db.Thread(dayThread("2026-03-03")); err != nil || root == "" {
		t.Fatalf("the day's thread is not recorded: %q, %v", root, err)
	}
	// Saturday: no digest, though SET-1 is still stale.
	r.now = cycleMonday.AddDate(0, 0, 5).Add(digestAt)
	if got := r.digest(); len(got) != 0 {
		t.Fatalf("a digest on Saturday:\n%s", texts(got))
	}
}

func TestStaleDigestWithNothingStalePostsNothing(t *testing.T) {
	r := newTriageRig(t)
	r.jira.open = r.jira.open[2:] // SET-3 only: updated Monday 00:00, L2
	r.now = cycleMonday.AddDate(0, 0, 1).Add(digestAt)
	if got := r.digest(); len(got) != 0 {
		t.Fatalf("digest with nothing stale:\n%s", texts(got))
	}
	if r.pending() != 0 {
		t.Errorf("%d jobs left", r.pending())
	}
	if n, known := r.d.StaleTickets(); n != 0 || !known {
		t.Errorf("StaleTickets = %d, %v; want 0, true", n, known)
	}
}

func TestStaleDigestWaitsForJiraThenSaysSo(t *testing.T) {
	r := newTriageRig(t)
	r.jira.listErr = setbot.Errorf(setbot.EUnavailable, "Jira is not answering right now.")
	r.now = cycleMonday.AddDate(0, 0, 1).Add(digestAt)
	if got := r.digest(); len(got) != 0 || r.pending() != 1 {
		t.Fatalf("want the digest waiting for Jira, got %d jobs and:\n%s", r.pending(), texts(got))
	}
	if _, known := r.d.StaleTickets(); known {
		t.Errorf("the stale count is known without a read")
	}
	r.now = r.now.Add(reportJiraWait + retryCap)
	got := r.digest()
	if len(got) != 1 || !strings.Contains(got[0].Text, ":warning: Jira could not be read (Jira is not answering right now), so stale tickets are not listed.") {
		t.Fatalf("after the wait:\n%s", texts(got))
	}
}

func TestStartReportListsStaleAndOutOfOrderTickets(t *testing.T) {
	r := newCycleRig(t, Reports{Start: &monNine})
	rt := func(key string, class int) setbot.RankedTicket {
		return setbot.RankedTicket{Issue: setbot.Issue{Key: setbot.IssueKey(key), Summary: "summary of " + key}, Class: class}
	}
	r.jira.todo = []setbot.RankedTicket{rt("SET-10", 3), rt("SET-11", 2), rt("SET-12", 0), rt("SET-13", 1)}
	r.now = cycleMonday.Add(9 * time.Hour)
	got := r.tick()
	if len(got) != 1 {
		t.Fatalf("want one start report, got:\n%s", texts(got))
	}
	for _, want := range []string{
		"##### Stale tickets (no Jira update for longer than L1 1d, L2 2d, L3 7d, L4 14d)\n" +
			"- [SET-1](https://jira.example.com/browse/SET-1) · L1 · Login fails · `@alice` · no update for 1d 9h",
		"##### Kanban TO DO order (hotfix > release > customer > other)\n3 out of order: each is ranked below a ticket of a lower class.\n" +
			"- SET-11 (customer) is #2, belongs at #3 · summary of SET-11\n" +
			"- SET-12 (hotfix) is #3, belongs at #1 · summary of SET-12\n" +
			"- SET-13 (release) is #4, belongs at #2 · summary of SET-13\n" +
			"The order they should have: SET-12, SET-13, SET-11, SET-10",
	} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("report lacks %q:\n%s", want, got[0].Text)
		}
	}
	if r.jira.lists != 1 {
		t.Errorf("Jira's open tickets read %d times for one report, want 1 (one search per sweep)", r.jira.lists)
	}
}

func TestTriageListsEverythingWaitingInTheCommandsThread(t *testing.T) {
	r := newTriageRig(t)
	r.now = cycleMonday.Add(10 * time.Hour)
	say := func(user string, ch setbot.ChannelID, root setbot.PostID, text string) setbot.PostID {
		r.seq++
		id := setbot.PostID(fmt.Sprintf("w%d", r.seq))
		kind := setbot.ChannelSET
		if ch == "c-ask" {
			kind = setbot.ChannelAsk
		}
		r.deliver(setbot.Message{ID: id, ChannelID: ch, RootID: root, Kind: kind, UserID: setbot.UserID("u-" + user),
			Username: setbot.Username(user), Text: text, At: r.now})
		return id
	}
	t0 := r.now
	waiting := say("zoe", "c-set", "", "Customer Y: LDAP sync fails")
	answered := say("zoe", "c-set", "", "Is 10.5 out?")
	say("bob", "c-set", answered, "Yes.") // bob is SET this week
	old := say("dave", "c-ask", "", "How do I read a goroutine dump?")
	r.now = t0.Add(90 * time.Minute)
	say("dave", "c-ask", "", "Too new to list") // younger than ask_after at triage time
	// Not flushed: the triage job records what was observed before it.

	r.now = t0.Add(2*time.Hour + time.Minute)
	cmd := r.post("zoe", "c-set", "", "triage") // zoe is not on SET
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "only SET members") {
		t.Fatalf("a non-member's triage:\n%s", texts(got))
	}
	cmd = r.post("bob", "c-set", "", "triage")
	r.drain()
	got := r.chat.take()
	if len(got) != 1 || got[0].RootID != cmd || got[0].ChannelID != "c-set" {
		t.Fatalf("want one triage post in the command's thread, got:\n%s", texts(got))
	}
	text := got[0].Text
	for _, want := range []string{
		"##### Unanswered in ~sustained-engineering\n- “Customer Y: LDAP sync fails”, 2h 1m ago ([link](https://chat.example.com/pl/" + string(waiting) + "))\n\n",
		"##### ~Ask R&D questions waiting 2h or more\n- “How do I read a goroutine dump?”, 2h 1m ago ([link](https://chat.example.com/pl/" + string(old) + "))\n\n",
		"##### Stale tickets (no Jira update for longer than L1 1d, L2 2d, L3 7d, L4 14d)\n- [SET-1]",
		"##### Kanban TO DO order (hotfix > release > customer > other)\nNone out of order.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("triage lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"Is 10.5 out?", "Too new to list"} {
		if strings.Contains(text, not) {
			t.Errorf("triage lists %q:\n%s", not, text)
		}
	}
	// With nothing waiting, every list says so.
	r.jira.open = nil
	say("alice", "c-set", waiting, "Looking.")
	say("zoe", "c-ask", old, "Use pprof.") // anyone but the asker answers ~Ask R&D
	r.d.c.watch.flush(context.Background())
	r.post("bob", "c-set", "", "triage")
	r.drain()
	got = r.chat.take()
	if len(got) != 1 || strings.Count(got[0].Text, "None.") != 3 || !strings.Contains(got[0].Text, "None out of order.") {
		t.Fatalf("an empty triage:\n%s", texts(got))
	}
}

// TestHelpListsEveryFeature: a feature missing from help's order would
// have its commands unknown.
func TestHelpListsEveryFeature(t *testing.T) {
	r := newCycleRig(t, Reports{})
	listed := map[feature]bool{}
	for _, f := range r.d.c.helpOrder() {
		listed[f] = true
	}
	for _, f := range r.d.c.features() {
		if !listed[f] {
			t.Errorf("feature %T is not in helpOrder: its commands are unknown", f)
		}
	}
}
