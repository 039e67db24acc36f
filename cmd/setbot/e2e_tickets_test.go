//go:build e2e

package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// handoverTeams is the [jira.handover_teams] the ticket tests configure.
const handoverTeams = `
[jira.handover_teams.platform]
component = "Platform"
assignee = "acc-bob"
`

func issueByKey(t *testing.T, fake *jiratest.Server, key string) jiratest.Issue {
	t.Helper()
	for _, is := range fake.Issues() {
		if is.Key == key {
			return is
		}
	}
	t.Fatalf("no issue %s in the fake Jira", key)
	return jiratest.Issue{}
}

// TestE2ETicketCommands: a SET member assigns, re-prioritises and hands over
// a ticket, each answered in the command's thread once the fake Jira has
// the change; somebody outside SET is refused without a Jira call.
func TestE2ETicketCommands(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, handoverTeams)
	key := r.fake.AddIssue(jiratest.Issue{Summary: "Channel sidebar order resets after reconnect", Priority: "Medium"})
	r.start(t)
	alice := person(t, w, "alice")

	ask(t, w, alice, "assign "+strings.ToLower(key)+" @bob", "is now assigned to @bob")
	if is := issueByKey(t, r.fake, key); is.Assignee != "acc-bob" {
		t.Errorf("assignee %q, want acc-bob", is.Assignee)
	}
	ask(t, w, alice, "priority "+key+" L1", "is now L1")
	if is := issueByKey(t, r.fake, key); is.Priority != "Highest" || !slices.Contains(is.Labels, "priority-L1") {
		t.Errorf("priority %q labels %v, want Highest and priority-L1", is.Priority, is.Labels)
	}
	ask(t, w, alice, "handover "+key+" nosuchteam", "Teams I can hand over to: `platform`")
	ask(t, w, alice, "handover "+key+" Platform the query planner is theirs", "handed over to platform")
	is := issueByKey(t, r.fake, key)
	if !slices.Contains(is.Components, "Platform") || len(is.Comments) != 1 ||
		!strings.Contains(is.Comments[0].Body, "SET stays the contact") || !strings.Contains(is.Comments[0].Body, "query planner") {
		t.Errorf("handover: components %v comments %+v", is.Components, is.Comments)
	}

	before := len(r.fake.Requests())
	outsider := person(t, w, "support1")
	ask(t, w, outsider, "assign "+key+" @support1", "only SET members")
	ask(t, w, alice, "assign "+key+" @nobody-by-this-name", "can't find a person")
	if after := len(r.fake.Requests()); after != before {
		t.Errorf("refused commands reached Jira: %d requests", after-before)
	}
	if is := issueByKey(t, r.fake, key); is.Assignee != "acc-bob" {
		t.Errorf("refused assign changed the assignee to %q", is.Assignee)
	}
}

// reviewWithOffer runs the standard intake to its review and returns the
// review post, which must offer the existing ticket key.
func reviewWithOffer(t *testing.T, c *chatter, key string) *model.Post {
	t.Helper()
	mark := c.p.Mark()
	c.startIntake()
	c.answerIntake("L2")
	post, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "look similar"), replyTimeout)
	if err != nil {
		t.Fatalf("no similar-ticket offer: %v\nrecent: %s", err, c.p.Recent(5))
	}
	if !strings.Contains(post.Message, "["+key+"](") {
		t.Fatalf("the offer lacks a link to %s: %q", key, post.Message)
	}
	return post
}

// TestE2ETicketDuplicateAddTo: an intake like an open ticket is offered it,
// and "Add to KEY" puts a comment with the files on that ticket instead of
// filing a second one.
func TestE2ETicketDuplicateAddTo(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	key := r.fake.AddIssue(jiratest.Issue{Summary: highCPUIntake, Status: "In Progress"})
	r.start(t)
	c := newChatter(t, w, "support1")
	post := reviewWithOffer(t, c, key)
	mark := c.p.Mark()
	c.click(post, "Add to "+key, "Added your description and files to ["+key+"]")
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.p.FromBot(w.SET.Id, ""), "added another report"), replyTimeout); err != nil {
		t.Error(err)
	}
	if n := len(r.fake.Issues()); n != 1 {
		t.Fatalf("Jira has %d issues, want still 1", n)
	}
	is := issueByKey(t, r.fake, key)
	if len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "Acme Corp") {
		t.Errorf("comments %+v", is.Comments)
	}
	var names []string
	for _, a := range is.Attachments {
		names = append(names, a.Filename)
	}
	for _, n := range []string{"config.json", "mattermost.log", "cpu.pprof"} {
		if !slices.Contains(names, n) {
			t.Errorf("%s lacks attachment %s (has %v)", key, n, names)
		}
	}
	for _, s := range mmtest.Secrets {
		if strings.Contains(is.Comments[0].Body, s) {
			t.Errorf("secret %q reached the comment", s)
		}
	}
}

// TestE2ETicketDuplicateFileNew: "File new" files a second ticket.
func TestE2ETicketDuplicateFileNew(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	key := r.fake.AddIssue(jiratest.Issue{Summary: highCPUIntake})
	r.start(t)
	c := newChatter(t, w, "support2")
	post := reviewWithOffer(t, c, key)
	c.click(post, "File new", "Filed [SET-")
	if n := len(r.fake.Issues()); n != 2 {
		t.Fatalf("Jira has %d issues, want 2", n)
	}
	if is := issueByKey(t, r.fake, key); len(is.Comments) != 0 {
		t.Errorf("the existing ticket got comments: %+v", is.Comments)
	}
}
