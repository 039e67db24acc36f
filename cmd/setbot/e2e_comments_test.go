//go:build e2e

package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestE2ECommentsAddToLostAnswers: "Add to KEY" while Jira misbehaves: the
// first look at the comments is rate-limited (Retry-After 1 s, waited in
// place: a longer one is honoured by the outbox, minutes later), then the
// first upload and the comment take effect but setbot sees a 504 and a
// 503, so the outbox retries the job. The ticket ends with exactly one
// comment and one copy of each file.
func TestE2ECommentsAddToLostAnswers(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	key := r.fake.AddIssue(jiratest.Issue{Summary: highCPUIntake, Status: "In Progress"})
	base := "/rest/api/2/issue/" + key
	r.fake.Inject(
		jiratest.Fault{Method: http.MethodPost, Path: base + "/attachments", Status: http.StatusGatewayTimeout, AfterHandling: true},
		jiratest.Fault{Method: http.MethodPost, Path: base + "/comment", Status: http.StatusServiceUnavailable, AfterHandling: true},
		jiratest.Fault{Method: http.MethodGet, Path: base + "/comment", Status: http.StatusTooManyRequests, RetryAfter: "1"},
	)
	r.start(t)
	c := newChatter(t, w, "support1")
	post := reviewWithOffer(t, c, key)
	mark := c.p.Mark()
	c.click(post, "Add to "+key, "Added your description and files to ["+key+"]")
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.p.FromBot(w.SET.Id, ""), "added another report"), replyTimeout); err != nil {
		t.Error(err)
	}
	is := issueByKey(t, r.fake, key)
	if len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "Acme Corp") {
		t.Fatalf("%d comments, want exactly 1: %+v", len(is.Comments), is.Comments)
	}
	counts := map[string]int{}
	for _, a := range is.Attachments {
		counts[a.Filename]++
	}
	for _, n := range []string{"config.json", "mattermost.log", "cpu.pprof"} {
		if counts[n] != 1 {
			t.Errorf("%s has %d copies of %s, want 1 (all: %v)", key, counts[n], n, counts)
		}
	}
	var commentPosts, retried int
	for _, q := range r.fake.Requests() {
		if q.Method == http.MethodPost && q.Path == base+"/comment" {
			commentPosts++
		}
		if q.Method == http.MethodGet && q.Path == base+"/comment" && q.Status == http.StatusOK {
			retried++
		}
	}
	if commentPosts != 1 || retried < 2 {
		t.Errorf("%d comment POSTs (want 1), %d successful looks (want one before the comment and one after its lost answer)", commentPosts, retried)
	}
	if n := len(r.fake.Issues()); n != 1 {
		t.Errorf("Jira has %d issues, want still 1", n)
	}
}

// TestE2ECommentsHandoverLostAnswer: the handover comment is made but its
// answer is lost (502); setbot looks before trying again and answers once,
// with one comment on the ticket.
func TestE2ECommentsHandoverLostAnswer(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, handoverTeams)
	key := r.fake.AddIssue(jiratest.Issue{Summary: "Emoji picker slow on large servers"})
	r.fake.Inject(jiratest.Fault{Method: http.MethodPost, Path: "/rest/api/2/issue/" + key + "/comment", Status: http.StatusBadGateway, AfterHandling: true})
	r.start(t)
	alice := person(t, w, "alice")
	ask(t, w, alice, "handover "+key+" platform the emoji index is theirs", "handed over to platform")
	is := issueByKey(t, r.fake, key)
	if len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "emoji index is theirs") {
		t.Fatalf("%d comments, want exactly 1: %+v", len(is.Comments), is.Comments)
	}
	if is.Assignee != "acc-bob" {
		t.Errorf("assignee %q, want acc-bob", is.Assignee)
	}
}
