package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// onlyPost returns the single post made, failing otherwise.
func onlyPost(t *testing.T, r *ticketRig) setbot.Reply {
	t.Helper()
	posts := r.chat.take()
	if len(posts) != 1 {
		t.Fatalf("want 1 post, got %d: %+v", len(posts), posts)
	}
	return posts[0]
}

func TestTicketCommandsCallJiraAndAnswerInThread(t *testing.T) {
	cases := []struct {
		user, text string
		call       string
		answer     string
	}{
		{"alice", "assign set-12 @dave", "assign SET-12 dave dave@example.com", "Done: [SET-12](https://jira.example.com/browse/SET-12) is now assigned to @dave."},
		{"bob", "assign SET-12 none", "assign SET-12  ", "SET-12](https://jira.example.com/browse/SET-12) is now unassigned."},
		{"carol", "priority SET-12 l1", "priority SET-12 L1", "is now L1 (critical"},
		{"erin", "handover SET-12 server the planner is theirs\nsee the trace", "handover SET-12 Server Requested by @erin in Mattermost.⏎the planner is theirs⏎see the trace", "handed over to Server"},
		{"alice", "prio SET-7 major", "priority SET-7 L2", "SET-7"},
	}
	for _, c := range cases {
		r := newTicketRig(t)
		id := r.mention(c.user, c.text)
		if posts := r.chat.take(); len(posts) != 0 {
			t.Fatalf("%q: answered before Jira was called: %+v", c.text, posts)
		}
		r.drain(t)
		calls := r.jira.takeCalls()
		if len(calls) != 2 || calls[0] != c.call || !strings.HasPrefix(calls[1], "get ") {
			t.Errorf("%q: Jira calls %q, want %q then get", c.text, calls, c.call)
		}
		p := onlyPost(t, r)
		if p.ChannelID != "c-set" || p.RootID != id || !strings.Contains(p.Text, c.answer) {
			t.Errorf("%q: answer %+v, want in thread %s containing %q", c.text, p, id, c.answer)
		}
		if n := r.pending(t); n != 0 {
			t.Errorf("%q: %d jobs left", c.text, n)
		}
	}
}

func TestTicketCommandsAreCheckedBeforeJira(t *testing.T) {
	cases := []struct {
		user, text string
		want       string
	}{
		{"sam", "assign SET-1 @alice", "only SET members"},
		{"sam", "priority SET-1 L1", "`@alice`, `@bob`, `@carol`, or another SET member"}, // at most three names
		{"alice", "assign SET 12 @bob", `"SET" is not a Jira issue key`},
		{"alice", "assign 12-SET @bob", "is not a Jira issue key"},
		{"alice", "assign SET-1 @nobodyhere", "can't find a person called `@nobodyhere`"},
		{"alice", "assign SET-1 @oldbot", "can't find a person"},
		{"alice", "assign SET-1", "Write it as `@setbot assign SET-123 @alice`"},
		{"alice", "assign SET-1 @bob @carol", "Assign to one person"},
		{"alice", "priority SET-1 urgentish", "L1, L2, L3 or L4"},
		{"alice", "handover SET-1 desktop", "I don't know the team \"desktop\". Teams I can hand over to: `Mobile`, `Server`."},
		{"alice", "handover SET-1", "handover SET-123 <team>"},
	}
	for _, c := range cases {
		r := newTicketRig(t)
		id := r.mention(c.user, c.text)
		r.drain(t)
		if calls := r.jira.takeCalls(); len(calls) != 0 {
			t.Errorf("%q: Jira was called: %q", c.text, calls)
		}
		p := onlyPost(t, r)
		if p.RootID != id || !strings.Contains(p.Text, c.want) {
			t.Errorf("%q: answer %q, want %q in thread", c.text, p.Text, c.want)
		}
	}
}

func TestTicketCommandOnlyInSET(t *testing.T) {
	r := newTicketRig(t)
	r.d.handle(t.Context(), setbot.Message{ID: "x1", ChannelID: "c-ask", Kind: setbot.ChannelAsk, UserID: "u-alice",
		Username: "alice", Text: "@setbot assign SET-1 @bob", Mentioned: true, At: r.now})
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "works in ~sustained-engineering") || len(r.jira.takeCalls()) != 0 {
		t.Fatalf("answer %q", p.Text)
	}
}

func TestTicketCommandRetriesWhileJiraIsDown(t *testing.T) {
	r := newTicketRig(t)
	r.jira.err = setbot.Errorf(setbot.EUnavailable, "Jira answered 503.")
	r.jira.fail = 2
	id := r.mention("alice", "priority SET-3 L2")
	r.drain(t)
	p := onlyPost(t, r)
	if p.RootID != id || !strings.Contains(p.Text, "keep trying to change the priority of SET-3 to L2") {
		t.Fatalf("first failure answer %q", p.Text)
	}
	if r.pending(t) != 1 {
		t.Fatal("the job was not kept for a retry")
	}
	for range 3 { // second failure says nothing; the third attempt works
		r.now = r.now.Add(retryCap)
		r.drain(t)
	}
	if p := onlyPost(t, r); p.RootID != id || !strings.Contains(p.Text, "Done: [SET-3]") {
		t.Fatalf("answer after the outage: %q", p.Text)
	}
	if r.pending(t) != 0 {
		t.Fatal("job left after success")
	}
}

func TestTicketCommandGivesUpAfterADay(t *testing.T) {
	r := newTicketRig(t)
	r.jira.err = setbot.Errorf(setbot.EUnavailable, "Jira answered 503.")
	r.mention("alice", "assign SET-3 @bob")
	r.drain(t)
	r.chat.take()
	r.now = r.now.Add(ticketOpGiveUp + time.Minute)
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "I gave up trying to assign SET-3 to `@bob`: Jira did not answer for a day") {
		t.Fatalf("give-up answer %q", p.Text)
	}
	if r.pending(t) != 0 {
		t.Fatal("job kept after giving up")
	}
}

func TestTicketCommandRefusedByJiraIsASentence(t *testing.T) {
	r := newTicketRig(t)
	r.jira.err = setbot.Errorf(setbot.ENotFound, "SET-404 does not exist, or setbot's Jira account cannot see it.")
	r.mention("alice", "handover SET-404 mobile")
	r.drain(t)
	p := onlyPost(t, r)
	if p.Text != "I couldn't hand SET-404 over to Mobile: SET-404 does not exist, or setbot's Jira account cannot see it." {
		t.Fatalf("answer %q", p.Text)
	}
	r.jira.err = errorString("dial tcp 10.0.0.1:443: secret internals")
	r.mention("alice", "handover SET-5 mobile")
	r.drain(t)
	if p := onlyPost(t, r); strings.Contains(p.Text, "dial tcp") || !strings.Contains(p.Text, setbot.InternalMessage) {
		t.Fatalf("a raw error reached the person: %q", p.Text)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestTicketCommandWithoutJira(t *testing.T) {
	r := newTicketRig(t)
	r.d.c.ext.Tracker = nil
	r.mention("alice", "assign SET-1 @bob")
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "Jira is not configured") {
		t.Fatalf("answer %q", p.Text)
	}
}

// BenchmarkTicketCommand is one "@setbot priority KEY L2" from the post to
// its committed job: roster check, parse, and the bbolt commit.
func BenchmarkTicketCommand(b *testing.B) {
	r := newTicketRig(b)
	b.ResetTimer()
	for b.Loop() {
		r.mention("alice", "priority SET-12 L2")
	}
}

// TestLastWeeksTeamStillCounts: the outgoing team finishes its hand-over
// the week after, so last week's people are SET members; the week before
// is not.
func TestLastWeeksTeamStillCounts(t *testing.T) {
	r := newTicketRig(t)
	r.now = tr0.AddDate(0, 0, 7) // alice was last week's primary
	r.mention("alice", "priority SET-1 L2")
	r.drain(t)
	if p := onlyPost(t, r); strings.Contains(p.Text, "only SET members") {
		t.Fatalf("last week's primary was refused: %q", p.Text)
	}
	r.now = tr0.AddDate(0, 0, 14)
	r.mention("alice", "priority SET-1 L2")
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "only SET members") {
		t.Fatalf("the primary of two weeks ago was let in: %q", p.Text)
	}
}

// TestHandoverInvitesTheTeamToTheIncidentChannel: handing over a ticket
// whose incident has a channel of its own invites the team's people there
// and says so; someone without an account is named, not retried.
func TestHandoverInvitesTheTeamToTheIncidentChannel(t *testing.T) {
	r := newTicketRig(t)
	cfg := r.d.c.cfg
	r.d = New(cfg, r.chat, r.db, Extensions{Tracker: r.jira, HandoverTeams: []string{"Server", "Mobile"},
		HandoverInvites: map[string][]setbot.Username{"Server": {"dave", "ghost"}}})
	if _, _, err := r.db.TrackIncident(setbot.Incident{Key: "SET-12", Priority: setbot.L2, Channel: "c-war"}, r.now); err != nil {
		t.Fatal(err)
	}
	r.mention("erin", "handover SET-12 server")
	r.drain(t)
	if fmt.Sprint(r.chat.added) != "[c-war: u-dave]" {
		t.Errorf("added %q, want dave in c-war", r.chat.added)
	}
	var note string
	for _, p := range r.chat.take() {
		if p.ChannelID == "c-war" {
			note = p.Text
		}
	}
	if !strings.Contains(note, "I invited `@dave`") || !strings.Contains(note, "Not found: `@ghost`") {
		t.Errorf("note in the incident's channel: %q", note)
	}
	r.mention("erin", "handover SET-13 server") // no incident: nobody is invited
	r.drain(t)
	if len(r.chat.added) != 1 {
		t.Errorf("invited for a ticket without an incident channel: %q", r.chat.added)
	}
}
