//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"

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
