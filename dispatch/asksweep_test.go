package dispatch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// newSweepRig is the watch rig with the ~Ask R&D sweep at 10:00 and 15:00
// UTC for questions older than 2h (and the SET watch off).
func newSweepRig(t *testing.T) *watchRig {
	t.Helper()
	r := newWatchRig(t, "")
	r.cfg.Watch = setbot.WatchPolicy{Location: time.UTC, AskAfter: 2 * time.Hour, AskSweep: []time.Duration{10 * time.Hour, 15 * time.Hour}}
	r.open(t)
	return r
}

// ask posts text in ~ask-r-and-d as user (root: its thread) at the rig's time.
func (r *watchRig) ask(user string, root setbot.PostID, text string) setbot.PostID {
	r.seq++
	id := setbot.PostID(fmt.Sprintf("q%d", r.seq))
	r.deliver(setbot.Message{ID: id, ChannelID: "c-ask", RootID: root, Kind: setbot.ChannelAsk,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: text, At: r.now,
		Mentioned: strings.Contains(text, "@setbot")})
	return id
}

// sweepAt moves the clock to t, runs the watch's timer duty and the
// outbox, and returns what was posted.
func (r *watchRig) sweepAt(t time.Time) []setbot.Reply {
	r.now = t
	r.d.c.watch.flush(context.Background())
	r.d.c.watch.tick(context.Background(), t)
	runLanes(r.d)
	return r.chat.take()
}

func TestAskSweepListsUnansweredQuestionsInADayThread(t *testing.T) {
	r := newSweepRig(t)
	wed := func(h, m int) time.Time { return time.Date(2026, 3, 4, h, m, 0, 0, time.UTC) }
	r.now = wed(7, 0)
	q1 := r.ask("sam", "", "How do I rotate the SAML certificate without downtime?")
	q2 := r.ask("dave", "", "Which Elasticsearch versions does 10.5 support?")
	r.ask("bob", q2, "7.17 and 8.x.") // answered by someone else
	q3 := r.ask("sam", "", "Is there a limit on webhook payload size?")
	r.ask("sam", q3, "Asking for customer X.") // the asker's own reply answers nothing
	r.ask("carol", "", "@setbot who")          // a command, not a question
	r.now = wed(9, 30)
	q4 := r.ask("erin", "", "Can plugins read the audit log?")
	runLanes(r.d)
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "On SET this week") {
		t.Fatalf("want only the answer to the command:\n%s", texts(got))
	}

	got := r.sweepAt(wed(10, 0))
	if len(got) != 1 || got[0].ChannelID != "c-set" || got[0].RootID != "" {
		t.Fatalf("the 10:00 sweep: want one new thread in ~sustained-engineering:\n%s", texts(got))
	}
	list := got[0]
	if !strings.Contains(list.Text, "1. “How do I rotate the SAML") || !strings.Contains(list.Text, "2. “Is there a limit") ||
		strings.Contains(list.Text, "Elasticsearch") || strings.Contains(list.Text, "audit log") || strings.Contains(list.Text, "3.") {
		t.Fatalf("want questions 1 and 3 only (2 answered, 4 too young):\n%s", list.Text)
	}
	if len(list.Buttons) != 2 || list.Buttons[0].Action != actionAskTaken+string(q1) || list.Buttons[1].Action != actionAskTaken+string(q3) {
		t.Fatalf("buttons: %+v", list.Buttons)
	}
	if got := r.sweepAt(wed(10, 5)); len(got) != 0 {
		t.Fatalf("the 10:00 sweep ran twice:\n%s", texts(got))
	}

	if msg := r.d.Click(context.Background(), setbot.Click{UserID: "u-alice", Action: list.Buttons[0].Action}); !strings.HasPrefix(msg, "Thanks") {
		t.Fatalf("Taken: %q", msg)
	}
	runLanes(r.d)
	if got := r.chat.take(); len(got) != 1 || got[0].ChannelID != "c-ask" || got[0].RootID != q1 || got[0].Text != "@alice is looking at this." {
		t.Fatalf("Taken did not tell the question's thread:\n%s", texts(got))
	}
	if msg := r.d.Click(context.Background(), setbot.Click{UserID: "u-bob", Action: list.Buttons[0].Action}); msg != "`@alice` took it already." {
		t.Fatalf("a second Taken: %q", msg)
	}
	runLanes(r.d)
	if got := r.chat.take(); len(got) != 0 {
		t.Fatalf("a second Taken posted:\n%s", texts(got))
	}

	r.open(t) // the day's thread survives a restart
	got = r.sweepAt(wed(15, 0))
	if len(got) != 1 || got[0].RootID == "" || !strings.Contains(got[0].Text, "webhook payload") ||
		!strings.Contains(got[0].Text, "audit log") || strings.Contains(got[0].Text, "SAML") {
		t.Fatalf("the 15:00 sweep: want questions 3 and 4 in the day's thread:\n%s", texts(got))
	}
	if got := r.sweepAt(time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("a Saturday sweep:\n%s", texts(got))
	}
	if !strings.Contains(got[0].Text, string(q4)) {
		t.Errorf("question 4's link is missing:\n%s", got[0].Text)
	}
}

func TestAskSweepWithNothingToListPostsNothing(t *testing.T) {
	r := newSweepRig(t)
	r.now = time.Date(2026, 3, 4, 7, 0, 0, 0, time.UTC)
	q := r.ask("sam", "", "Where are the 10.5 release notes?")
	r.ask("dave", q, "Here: docs.mattermost.com")
	if got := r.sweepAt(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("want no post:\n%s", texts(got))
	}
	// A sweep missed for longer than askSweepLate is not posted late.
	r.now = time.Date(2026, 3, 5, 7, 0, 0, 0, time.UTC)
	r.ask("sam", "", "Anyone?")
	if got := r.sweepAt(time.Date(2026, 3, 5, 16, 30, 0, 0, time.UTC)); len(got) != 1 || !strings.Contains(got[0].Text, "15:00 sweep") {
		t.Fatalf("at 16:30 the 15:00 sweep is due, the 10:00 one is too late:\n%s", texts(got))
	}
}
