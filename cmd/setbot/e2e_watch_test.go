//go:build e2e

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestE2EFirstResponseWatch: with a 3-second first response, a question
// the primary answered in its thread gets no nudge, and a later one
// nobody answered gets a mention of the primary in its thread. The
// answered question's time came first, so by the time the second is
// nudged the first would have been too. /metrics counts the one.
func TestE2EFirstResponseWatch(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	r := newRig(t, w, "[watch]\nfirst_response = \"3s\"\nhours = \"\"\n")
	run := r.start(t)
	support, alice := person(t, w, "support1"), person(t, w, "alice")
	answered, err := support.Post(ctx, w.SET.Id, "", "Customer Y: LDAP sync fails after the upgrade, any idea?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Post(ctx, w.SET.Id, answered.Id, "Looking: which LDAP server?"); err != nil {
		t.Fatal(err)
	}
	mark := support.Mark()
	question, err := support.Post(ctx, w.SET.Id, "", "Is anyone around for a SAML question?")
	if err != nil {
		t.Fatal(err)
	}
	nudge := mmtest.Containing(support.FromBot(w.SET.Id, question.Id), "@alice: this post has had no answer from SET for")
	if _, err := support.WaitFor(ctx, mark, nudge, replyTimeout); err != nil {
		t.Fatalf("no nudge for the unanswered question: %v\nrecent: %s", err, support.Recent(5))
	}
	// The nudge was claimed before it was posted: the gauge counts it, and
	// not the answered question.
	if n := scrapeMetrics(t, run)[`setbot_unanswered_posts{channel="sustained-engineering"}`]; n != 1 {
		t.Errorf("setbot_unanswered_posts = %v, want 1", n)
	}
	thread, _, err := w.Admin.GetPostThread(ctx, answered.Id, "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range thread.Posts {
		if strings.Contains(p.Message, "no answer from SET") {
			t.Errorf("the answered question was nudged: %q", p.Message)
		}
	}
}

// TestE2EAskSweepListsTheUnansweredQuestions: with the sweep set for a
// minute at least 30 s ahead, the questions in ~ask-r-and-d without an answer (one with
// only its asker's reply) are listed in ~sustained-engineering, the
// answered one is not, and Taken tells the question's thread. The sweep
// runs on weekdays only, so on a Saturday or Sunday (UTC) there is
// nothing to wait for and the test is skipped.
func TestE2EAskSweepListsTheUnansweredQuestions(t *testing.T) {
	// Far enough ahead that setbot has recorded the questions by then.
	now := time.Now().UTC()
	due := now.Truncate(time.Minute).Add(time.Minute)
	if due.Sub(now) < 30*time.Second {
		due = due.Add(time.Minute)
	}
	if wd := due.Weekday(); wd == time.Saturday || wd == time.Sunday {
		t.Skip("the ~Ask R&D sweep runs on weekdays only")
	}
	w := theWorld(t)
	ctx := context.Background()
	r := newRig(t, w, fmt.Sprintf("[watch]\nask_after = \"1s\"\nask_sweep = [%q]\n", due.Format("15:04")))
	r.start(t)
	support, dave := person(t, w, "support1"), person(t, w, "dave")
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	post := func(p *mmtest.Person, root, text string) *model.Post {
		t.Helper()
		q, err := p.Post(ctx, w.Ask.Id, root, text)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	open := post(support, "", "Unanswered "+tag+": can a guest join a shared channel?")
	self := post(support, "", "Self-replied "+tag+": is the mobile app's push proxy configurable?")
	post(support, self.Id, "Asking for customer Y.")
	answered := post(support, "", "Answered "+tag+": where is the 10.5 changelog?")
	post(dave, answered.Id, "In the docs, under Changelog.")

	mark := support.Mark()
	list, err := support.WaitFor(ctx, mark, mmtest.Containing(support.FromBot(w.SET.Id, ""), "Unanswered "+tag), time.Until(due)+replyTimeout)
	if err != nil {
		t.Fatalf("no sweep by %s: %v", due.Add(replyTimeout).Format("15:04:05"), err)
	}
	if !strings.Contains(list.Message, "Self-replied "+tag) || strings.Contains(list.Message, "Answered "+tag) {
		t.Errorf("the sweep lists other than exactly the unanswered questions:\n%s", list.Message)
	}
	alice := newChatter(t, w, "alice")
	mark = support.Mark()
	if err := alice.p.Click(ctx, list, "Taken 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := support.WaitFor(ctx, mark, mmtest.Containing(support.FromBot(w.Ask.Id, open.Id), "@alice is looking at this."), replyTimeout); err != nil {
		t.Errorf("Taken did not tell the question's thread: %v", err)
	}
}
