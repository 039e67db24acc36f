//go:build e2e

package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestE2ETriageListsExactlyWhatWaits: on the real server, with the fake
// Jira holding a stale L1 ticket, a fresh one, and a TO DO column with a
// hotfix ranked below an ordinary ticket, `@setbot triage` by the primary
// answers in its thread with the unanswered ~sustained-engineering post
// (not the answered one), the unanswered ~Ask R&D question (not the
// answered one), the stale ticket (not the fresh one), and the hotfix out
// of order. setbot_stale_tickets then counts the one.
func TestE2ETriageListsExactlyWhatWaits(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	r := newRig(t, w, "[watch]\nask_after = \"1s\"\n")
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	stale := r.fake.AddIssue(jiratest.Issue{Summary: "Stale " + tag, Status: "In Progress", Labels: []string{"priority-L1"},
		Assignee: "acc-alice", Updated: time.Now().Add(-72 * time.Hour)})
	fresh := r.fake.AddIssue(jiratest.Issue{Summary: "Fresh " + tag, Status: "In Progress", Labels: []string{"priority-L1"}})
	plain := r.fake.AddIssue(jiratest.Issue{Summary: "Plain " + tag})
	hotfix := r.fake.AddIssue(jiratest.Issue{Summary: "Hotfix " + tag, Labels: []string{"hotfix"}})
	run := r.start(t)
	support, dave, alice := person(t, w, "support1"), person(t, w, "dave"), person(t, w, "alice")
	post := func(p *mmtest.Person, ch, root, text string) string {
		t.Helper()
		q, err := p.Post(ctx, ch, root, text)
		if err != nil {
			t.Fatal(err)
		}
		return q.Id
	}
	waiting := post(support, w.SET.Id, "", "Waiting "+tag+": SAML login loops")
	answered := post(support, w.SET.Id, "", "Answered "+tag+": is 10.5 out?")
	post(alice, w.SET.Id, answered, "Yes, since this morning.")
	question := post(support, w.Ask.Id, "", "Question "+tag+": can a guest join a shared channel?")
	replied := post(support, w.Ask.Id, "", "Replied "+tag+": where is the changelog?")
	post(dave, w.Ask.Id, replied, "In the docs.")
	// The questions must be older than ask_after (1 s) when triage runs:
	// this only lets real time pass.
	time.Sleep(1100 * time.Millisecond)

	mark := alice.Mark()
	cmd := post(alice, w.SET.Id, "", "@"+w.Bot.Username+" triage")
	got, err := alice.WaitFor(ctx, mark, mmtest.Containing(alice.FromBot(w.SET.Id, cmd), "#### Triage"), replyTimeout)
	if err != nil {
		t.Fatalf("no triage answer: %v\nrecent: %s", err, alice.Recent(5))
	}
	text := got.Message
	for _, want := range []string{
		"Waiting " + tag, "/pl/" + waiting,
		"Question " + tag, "/pl/" + question,
		"[" + stale + "](", "`@alice` · no update for 3d",
		"[" + hotfix + "](", "(hotfix) is #2, belongs at #1", "The order they should have: " + hotfix + ", " + plain,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("triage lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"Answered " + tag, "Replied " + tag, fresh + "]"} {
		if strings.Contains(text, not) {
			t.Errorf("triage lists %q:\n%s", not, text)
		}
	}
	if n := scrapeMetrics(t, run)["setbot_stale_tickets"]; n != 1 {
		t.Errorf("setbot_stale_tickets = %v, want 1", n)
	}
	if v := r.fake.Violations(); len(v) > 0 {
		t.Errorf("contract violations: %v", v)
	}
}
