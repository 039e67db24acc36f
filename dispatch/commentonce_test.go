package dispatch

import (
	"strings"
	"testing"

	"github.com/setbot/setbot"
)

func useOnceJira(r *ticketRig, lose int) *onceTracker {
	o := newOnceTracker(r.jira, lose)
	r.ext.Tracker = o // for restarts too
	r.d.c.ext.Tracker = o
	return o
}

// restart closes the store and opens it again under a new dispatcher, as
// a restart of setbot would.
func (r *ticketRig) restart(*testing.T) { r.open() }

// sameRef checks that every call used one job ref and returns it.
func sameRef(t *testing.T, calls []string, kind string, n int) string {
	t.Helper()
	if len(calls) != n {
		t.Fatalf("calls %q, want %d", calls, n)
	}
	for _, c := range calls {
		if c != calls[0] || !strings.HasPrefix(c, kind+" setbot-job-") {
			t.Fatalf("calls %q: want one ref %q… on every retry", calls, kind+" setbot-job-")
		}
	}
	return strings.TrimPrefix(calls[0], kind+" ")
}

// Add to KEY: the comment's answer is lost twice and setbot restarts in
// between; every retry asks with the same ref, so one comment is made.
func TestAddToCommentsOnceAcrossRetriesAndRestart(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7", URL: "https://jira.example.com/browse/SET-7"}}
	o := useOnceJira(r, 2)
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	r.dm("add SET-7")
	r.drain(t)
	if r.pending(t) != 1 {
		t.Fatal("the add-to job was not kept for a retry")
	}
	r.restart(t)
	for range 3 {
		r.now = r.now.Add(retryCap)
		r.drain(t)
	}
	ref := sameRef(t, o.takeRefs(), "comment", 3)
	if o.made[ref] != 3 || len(r.jira.comments) != 1 || r.jira.comments[0].key != "SET-7" || len(r.jira.comments[0].files) != 1 {
		t.Fatalf("made %v, comments %+v", o.made, r.jira.comments)
	}
	for _, c := range r.jira.takeCalls() {
		if strings.HasPrefix(c, "comment ") {
			t.Fatalf("plain Comment called (%q) although the tracker comments once", c)
		}
	}
	if dm := lastDM(t, r.chat.take()); !strings.Contains(dm.Text, "Added your description and files to [SET-7]") || r.pending(t) != 0 {
		t.Fatalf("DM %q, %d jobs left", dm.Text, r.pending(t))
	}
}

// A tracker without OnceCommenter still gets the comment, through Comment.
func TestAddToFallsBackToComment(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7"}}
	r.intakeToCheck(t)
	r.drain(t)
	r.dm("add SET-7")
	r.drain(t)
	var comments int
	for _, c := range r.jira.takeCalls() {
		if c == "comment SET-7" {
			comments++
		}
	}
	if comments != 1 || len(r.jira.comments) != 1 {
		t.Fatalf("%d Comment calls, %d comments", comments, len(r.jira.comments))
	}
}

// Handover: a lost answer, then the retry, with the same ref; a second
// handover command is another job, so another ref.
func TestHandoverCommentsOnceAcrossRetries(t *testing.T) {
	r := newTicketRig(t)
	o := useOnceJira(r, 1)
	id := r.mention("alice", "handover SET-12 server the planner is theirs")
	r.drain(t)
	if p := onlyPost(t, r); p.RootID != id || !strings.Contains(p.Text, "keep trying to hand SET-12 over to Server") {
		t.Fatalf("first answer %q", p.Text)
	}
	r.now = r.now.Add(retryCap)
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "handed over to Server") {
		t.Fatalf("answer %q", p.Text)
	}
	ref := sameRef(t, o.takeRefs(), "handover", 2)
	if len(r.jira.comments) != 1 || !strings.Contains(r.jira.comments[0].text, "the planner is theirs") {
		t.Fatalf("comments %+v", r.jira.comments)
	}
	r.mention("alice", "handover SET-12 mobile")
	r.drain(t)
	if next := o.takeRefs(); len(next) != 1 || next[0] == "handover "+ref {
		t.Fatalf("second handover asked %q; the first used %q", next, ref)
	}
	for _, c := range r.jira.takeCalls() {
		if strings.HasPrefix(c, "handover ") {
			t.Fatalf("plain Handover called (%q) although the tracker comments once", c)
		}
	}
}
