package dispatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// ackAs handles "@setbot ack" from user in thread (or a DM when thread is "").
func (r *pagingRig) ackAs(user string, thread setbot.PostID) {
	r.seq++
	m := setbot.Message{ID: setbot.PostID("ack-" + user + string(rune('a'+r.seq))), ChannelID: "c-set", RootID: thread, Kind: setbot.ChannelSET,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: "@setbot ack", Mentioned: true, At: r.now}
	if thread == "" {
		m.ChannelID, m.Kind, m.Text, m.Mentioned = setbot.ChannelID("dm-"+user), setbot.ChannelDM, "ack", false
	}
	r.d.handle(context.Background(), m)
}

// TestOutsiderCannotAcknowledge: sam (on no rotation) acknowledging in the
// page's thread, by DM, and with the button, is refused, and the ladder
// goes on to the backup.
func TestOutsiderCannotAcknowledge(t *testing.T) {
	r := newPagingRig(t)
	root, step := r.pageAndStep(t, "checkout is down")
	r.ackAs("sam", root)
	if got := r.tick(t); len(got) != 1 || !strings.Contains(got[0].Text, "Only the people this page paged") {
		t.Fatalf("an outsider's ack in the thread:\n%s", texts(got))
	}
	r.ackAs("sam", "")
	if got := r.tick(t); len(got) != 1 || !strings.Contains(got[0].Text, "No open page paged you") {
		t.Fatalf("an outsider's ack by DM:\n%s", texts(got))
	}
	if got := r.d.Click(context.Background(), setbot.Click{UserID: "u-sam", Username: "alice", Action: step[1].Buttons[0].Action}); !strings.Contains(got, "Only the people this page paged") {
		t.Fatalf("an outsider's click (claiming to be alice) answered %q", got)
	}
	r.now = r.now.Add(pgAckWithin)
	wantStep(t, r.tick(t), root, "bob", setbot.StepBackup)
}

// TestAckByDMAsksWhichWhenSeveralPagedYou: with two open pages that paged
// alice, "ack" by DM asks which, with a button for each; with one, it
// acknowledges it.
func TestAckByDMAsksWhichWhenSeveralPagedYou(t *testing.T) {
	r := newPagingRig(t)
	r.pageAndStep(t, "checkout is down")
	r.ackAs("alice", "")
	if got := r.tick(t); len(got) != 1 || !strings.Contains(got[0].Text, "Acknowledged by @alice") {
		t.Fatalf("ack by DM with one page:\n%s", texts(got))
	}
	r.pageAndStep(t, "search is down")
	r.now = r.now.Add(time.Minute)
	r.pageAndStep(t, "uploads fail")
	r.ackAs("alice", "")
	got := r.tick(t)
	if len(got) != 1 || !strings.Contains(got[0].Text, "2 open pages paged you") || len(got[0].Buttons) != 2 ||
		got[0].Buttons[0].Label != "Ack: uploads fail" || !strings.HasPrefix(got[0].Buttons[1].Action, actionAck) {
		t.Fatalf("ack by DM with two pages:\n%s%+v", texts(got), got)
	}
}

// TestRightsFollowTheAccountNotTheName: carol (the lead) renames herself
// away and sam takes the name "carol": sam gains nothing, and carol keeps
// her rights under her new name.
func TestRightsFollowTheAccountNotTheName(t *testing.T) {
	r := newTicketRig(t)
	r.mention("carol", "override next backup @dave") // pins carol's account
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "Done:") {
		t.Fatalf("the lead's override: %q", p.Text)
	}
	r.chat.mu.Lock()
	r.chat.users["carol2"] = setbot.User{ID: "u-carol", Username: "carol2"}
	r.chat.users["carol"] = setbot.User{ID: "u-sam", Username: "carol"}
	r.chat.mu.Unlock()
	r.now = r.now.Add(peopleRefresh + time.Minute) // looked up again
	r.d.handle(context.Background(), setbot.Message{ID: "imp", ChannelID: "c-set", Kind: setbot.ChannelSET, UserID: "u-sam",
		Username: "carol", Text: "@setbot override next primary @sam", Mentioned: true, At: r.now})
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "only the current and next SET leads") {
		t.Fatalf("the impostor's override: %q", p.Text)
	}
	r.d.handle(context.Background(), setbot.Message{ID: "real", ChannelID: "c-set", Kind: setbot.ChannelSET, UserID: "u-carol",
		Username: "carol2", Text: "@setbot override next primary @dave", Mentioned: true, At: r.now})
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "Done:") {
		t.Fatalf("the renamed lead's override: %q", p.Text)
	}
}

// TestOverrideTakesOnlyPeople: a channel-wide mention, a bot or an unknown
// name is never put on the rotation.
func TestOverrideTakesOnlyPeople(t *testing.T) {
	for _, who := range []string{"@channel", "@all", "here", "@oldbot", "@nobodyhere"} {
		r := newTicketRig(t)
		r.mention("carol", "override next primary "+who)
		r.drain(t)
		if p := onlyPost(t, r); !strings.Contains(p.Text, "can't find a person") {
			t.Errorf("override to %s: %q", who, p.Text)
		}
	}
}

// TestOnlyTheConfiguredProjectsKeys: a key of another project is refused
// before Jira is asked.
func TestOnlyTheConfiguredProjectsKeys(t *testing.T) {
	r := newTicketRig(t)
	r.d.c.cfg.Projects = []string{"SET"}
	r.mention("alice", "priority HR-12 L1")
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "HR-12 is not a ticket of SET") {
		t.Errorf("another project's key: %q", p.Text)
	}
	if calls := r.jira.takeCalls(); len(calls) != 0 {
		t.Errorf("Jira was called: %q", calls)
	}
}

// TestIncidentRights: an outsider can neither track, resolve, update nor
// report; the incident's owner and the reporter of its intake may update.
func TestIncidentRights(t *testing.T) {
	r := newIncRig(t)
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		_, err := r.d.c.incidents.trackFiled(tx, setbot.Intake{ID: "i1", Priority: setbot.L1, Summary: "down", Reporter: "u-sam"}, setbot.Issue{Key: "SET-7"}, "New SET ticket SET-7", r.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	r.chat.take()
	for _, c := range []struct{ user, text, want string }{
		{"dave", "incident SET-8", "only SET members"},
		{"dave", "resolve SET-7", "only SET members"},
		{"dave", "update SET-7 all good", "only SET members"},
		{"dave", "report", "only SET members"},
		{"sam", "resolve SET-7", "only SET members"},
		{"sam", "update SET-7 the customer confirms the workaround", "recorded the update"},
		{"alice", "update SET-7 fix in review", "recorded the update"}, // the owner (the primary)
	} {
		got := strings.Join(r.ask(t, c.user, c.text), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: %q answered %q, want %q", c.user, c.text, got, c.want)
		}
	}
}

// TestRetrackWithoutLevelKeepsL1: tracking an L1 incident again while Jira
// is down, without typing a level, leaves it L1.
func TestRetrackWithoutLevelKeepsL1(t *testing.T) {
	r := newIncRig(t)
	r.ask(t, "alice", "incident SET-7 L1")
	r.jira.failing("get", setbot.Errorf(setbot.EUnavailable, "Jira answered 503."))
	got := strings.Join(r.ask(t, "alice", "incident SET-7"), "\n")
	if !strings.Contains(got, "it is now L1") || r.incident(t, "SET-7").Priority != setbot.L1 {
		t.Errorf("re-tracked without a level while Jira is down: %q, priority %v", got, r.incident(t, "SET-7").Priority)
	}
}

// TestDeactivatedListedPersonLosesRightsAtOnce: when the server says carol's
// account changed (deactivated), her rights end without waiting for the
// periodic refresh.
func TestDeactivatedListedPersonLosesRightsAtOnce(t *testing.T) {
	r := newTicketRig(t)
	r.mention("carol", "override next backup @dave")
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "Done:") {
		t.Fatalf("the lead's override: %q", p.Text)
	}
	r.chat.mu.Lock()
	r.chat.users["carol"] = setbot.User{ID: "u-carol", Username: "carol", Deleted: true}
	r.chat.mu.Unlock()
	r.mention("carol", "override next backup @bob") // still pinned and fresh
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "Done:") {
		t.Fatalf("before the update event: %q", p.Text)
	}
	r.d.UserUpdated("u-carol")
	r.mention("carol", "override next backup @alice")
	r.drain(t)
	if p := onlyPost(t, r); !strings.Contains(p.Text, "only the current and next SET leads") {
		t.Fatalf("a deactivated lead's override after the update event: %q", p.Text)
	}
}
