package jira_test

import (
	"context"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

func TestCheckReportsUnfilledRequiredField(t *testing.T) {
	c, _, _ := setup(t, jiratest.Options{ExtraFields: []jiratest.Field{{ID: "customfield_10042", Name: "Customer Tier", Required: true}}})
	err := c.Check(context.Background())
	if setbot.ErrorCode(err) != setbot.EUnconfigured || !strings.Contains(setbot.ErrorMessage(err), `"Customer Tier" (customfield_10042)`) {
		t.Fatalf("Check = %v", err)
	}
	// Filling it through team_field satisfies the check.
	c, _, _ = setup(t, jiratest.Options{ExtraFields: []jiratest.Field{{ID: "customfield_10042", Name: "Team", Required: true, Allowed: []string{"SET"}}}},
		func(cfg *jira.Config) { cfg.TeamField = jira.TeamField{ID: "customfield_10042", Value: "SET"} })
	if err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FileOnce(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
}

func TestCheckReportsUnknownNames(t *testing.T) {
	for _, tt := range []struct {
		mut  func(*jira.Config)
		want string
	}{
		{func(c *jira.Config) { c.IssueTypes.Feature = "Epic" }, `jira.issue_types.feature: Jira project SET has no issue type "Epic"`},
		{func(c *jira.Config) { c.Priorities.L1 = "Blocker" }, `jira.priorities.L1: Jira has no priority "Blocker"`},
		{func(c *jira.Config) { s := "Nope"; c.Component = &s }, `jira.component: project SET has no component "Nope"`},
	} {
		c, _, _ := setup(t, jiratest.Options{}, tt.mut)
		if err := c.Check(context.Background()); !strings.HasPrefix(setbot.ErrorMessage(err), tt.want) {
			t.Errorf("Check = %q, want %q", setbot.ErrorMessage(err), tt.want)
		}
	}
}

func TestCheckBadTokenIsUnconfigured(t *testing.T) {
	c, _, _ := setup(t, jiratest.Options{}, func(cfg *jira.Config) { cfg.Token = "wrong-" + token })
	err := c.Check(context.Background())
	if setbot.ErrorCode(err) != setbot.EUnconfigured || !strings.Contains(setbot.ErrorMessage(err), "jira.token") ||
		strings.Contains(err.Error(), token) {
		t.Fatalf("Check = %v", err)
	}
}

func TestOpsOnAFiledTicket(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{UploadLimit: 1024})
	ctx := context.Background()
	got, err := c.FileOnce(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	key := got.Key
	if err := c.SetPriority(ctx, key, setbot.L1); err != nil {
		t.Fatal(err)
	}
	if err := c.Assign(ctx, key, "carol", ""); err != nil { // through [jira.accounts]
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if is.Priority != "Highest" || !contains(is.Labels, "priority-L1") || contains(is.Labels, "priority-L2") || is.Assignee != "acc-bob" {
		t.Fatalf("after priority/assign: priority %s labels %v assignee %s", is.Priority, is.Labels, is.Assignee)
	}
	if err := c.Assign(ctx, key, "", ""); err != nil {
		t.Fatal(err)
	}
	if fake.Issues()[0].Assignee != "" {
		t.Fatal("not unassigned")
	}
	err = c.Assign(ctx, key, "dave", "")
	if setbot.ErrorCode(err) != setbot.ENotFound || !strings.Contains(setbot.ErrorMessage(err), "[jira.accounts]") {
		t.Fatalf("unknown user: %v", err)
	}
	files := []setbot.TicketFile{{Name: "goroutines.txt", Content: setbot.Content{Data: []byte("goroutine 1")}}, {Name: "heap.prof", Content: setbot.Content{Data: make([]byte, 4096)}, Link: "https://chat.example.com/f/heap"}}
	if err := c.Comment(ctx, key, "Found it:\n{noformat} *bold*", files); err != nil {
		t.Fatal(err)
	}
	if err := c.Handover(ctx, key, "Platform", "DB team owns the query planner."); err != nil {
		t.Fatal(err)
	}
	is = fake.Issues()[0]
	if len(is.Comments) != 2 || !strings.Contains(is.Comments[0].Body, "[^goroutines.txt]") ||
		!strings.Contains(is.Comments[0].Body, "[heap.prof|https://chat.example.com/f/heap] — too large") ||
		!strings.Contains(is.Comments[0].Body, "{ noformat} *bold*") {
		t.Fatalf("comments %+v", is.Comments)
	}
	if !contains(is.Components, "Platform") || !contains(is.Components, "Sustained Engineering") || is.Assignee != "acc-bob" ||
		!strings.Contains(is.Comments[1].Body, "SET stays the contact") {
		t.Fatalf("handover: components %v assignee %s comment %q", is.Components, is.Assignee, is.Comments[1].Body)
	}
	if err := c.Handover(ctx, key, "mobile", ""); setbot.ErrorCode(err) != setbot.EInvalid || !strings.Contains(setbot.ErrorMessage(err), "platform") {
		t.Fatalf("unknown team: %v", err)
	}
	g, err := c.Get(ctx, key)
	if err != nil || g.Key != key || g.Status != "In Progress" || !strings.HasPrefix(g.Summary, "Server crashes") {
		t.Fatalf("Get = %+v, %v", g, err)
	}
	// Handed over to acc-bob, which [jira.accounts] knows as carol; L1 set above.
	if g.Priority != setbot.L1 || g.Assignee != "carol" || g.AssigneeName == "" || g.Updated.IsZero() {
		t.Errorf("Get priority %v assignee %q (%q) updated %v; want L1, carol", g.Priority, g.Assignee, g.AssigneeName, g.Updated)
	}
	if g.Done {
		t.Error("an In Progress ticket read as done")
	}
	if !g.HandedOver || !contains(fake.Issues()[0].Labels, "handed-over") {
		t.Errorf("after the handover: HandedOver %v, labels %v; want handed-over", g.HandedOver, fake.Issues()[0].Labels)
	}
	if _, err := c.Get(ctx, "SET-999"); setbot.ErrorCode(err) != setbot.ENotFound {
		t.Fatalf("Get missing = %v", err)
	}
	closed := fake.AddIssue(jiratest.Issue{Summary: "fixed long ago", Status: "Done"})
	if g, err := c.Get(ctx, setbot.IssueKey(closed)); err != nil || !g.Done || g.Status != "Done" {
		t.Errorf("Get of a Done ticket = %+v, %v; want Done", g, err)
	}
}

func TestAssignByEmailSearchEscapes(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	fake.AddIssue(jiratest.Issue{Summary: "x"})
	if err := c.Assign(context.Background(), "SET-1", "alice", "alice+set@example.com"); err != nil {
		t.Fatal(err)
	}
	if fake.Issues()[0].Assignee != "acc-alice" {
		t.Fatal("not assigned")
	}
	for _, r := range fake.Requests() {
		if r.Path == "/rest/api/2/user/search" && r.Query != "query=alice%2Bset%40example.com" {
			t.Fatalf("user search query %q is not escaped", r.Query)
		}
	}
}

func TestSimilar(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	ctx := context.Background()
	sigText := "panic: nil map\n\ngoroutine 7 [running]:\ngithub.com/mattermost/app.(*App).CreatePost(0x1)\n\t/app/post.go:10\n"
	sig := jira.StackSignature(sigText)
	if sig == "" {
		t.Fatal("no signature")
	}
	fake.AddIssue(jiratest.Issue{Summary: "Server crashes when posting to a channel", Labels: []string{"a"}})         // SET-1 similar
	fake.AddIssue(jiratest.Issue{Summary: "Mobile login loops", Labels: []string{sig}})                               // SET-2 same stack
	fake.AddIssue(jiratest.Issue{Summary: "Server crashes when posting to a channel", Status: "Done"})                // SET-3 closed
	fake.AddIssue(jiratest.Issue{Summary: "Desktop notifications missing"})                                           // SET-4 unrelated
	fake.AddIssue(jiratest.Issue{Summary: "Server crashes when posting a channel", Labels: []string{"setbot-in-42"}}) // SET-5 our own
	in := intake()
	in.Summary = "Server crashes when posting to a channel"
	in.Impact = sigText
	got, err := c.Similar(ctx, in, 3)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, g := range got {
		keys = append(keys, string(g.Key))
	}
	if strings.Join(keys, ",") != "SET-2,SET-1" {
		t.Fatalf("Similar = %v", keys)
	}
	in.Summary = `"quoted\" OR project = X` // hostile text stays inside literals
	in.Impact = ""
	if _, err := c.Similar(ctx, in, 3); err != nil {
		t.Fatal(err)
	}
}

func TestDataCenter(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{DataCenter: true})
	ctx := context.Background()
	if err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	r := request()
	r.Assignee = "unknown"
	r.AssigneeEmail = "alice+set@example.com"
	got, err := c.FileOnce(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := c.FileOnce(ctx, r); err != nil || again.Key != got.Key || len(fake.Issues()) != 1 {
		t.Fatalf("second FileOnce: %v %v", again, err)
	}
	if is := fake.Issues()[0]; is.Assignee != "alice" || is.Status != "In Progress" {
		t.Fatalf("assignee %s status %s", is.Assignee, is.Status)
	}
	for _, q := range fake.Requests() {
		if strings.HasSuffix(q.Path, "/search/jql") {
			t.Fatalf("Data Center client used %s", q.Path)
		}
	}
}

func TestNeverCallsRemovedEndpoints(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	ctx := context.Background()
	c.Check(ctx)
	got, _ := c.FileOnce(ctx, request())
	c.Similar(ctx, intake(), 3)
	c.SetPriority(ctx, got.Key, setbot.L3)
	for _, r := range fake.Requests() {
		if r.Status == 410 || r.Path == "/rest/api/2/search" || r.Path == "/rest/api/2/issue/createmeta" {
			t.Errorf("called removed endpoint %s %s", r.Method, r.Path)
		}
		if strings.HasSuffix(r.Path, "/attachments") && r.Header.Get("X-Atlassian-Token") != "no-check" {
			t.Errorf("attachment upload without X-Atlassian-Token: no-check")
		}
	}
}

// TestTicketOpsOnDataCenter: the commands' calls (assign, priority,
// handover, comment, get) and the duplicate search also work on Data
// Center, within its contract, and Similar gives browse links.
func TestTicketOpsOnDataCenter(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{DataCenter: true})
	ctx := context.Background()
	key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "Server crashes when posting to a channel"}))
	if err := c.Assign(ctx, key, "carol", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPriority(ctx, key, setbot.L2); err != nil {
		t.Fatal(err)
	}
	if err := c.Handover(ctx, key, "PLATFORM", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Comment(ctx, key, "one more report", []setbot.TicketFile{{Name: "a.log", Content: setbot.Content{Data: []byte("x")}}}); err != nil {
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if is.Assignee != "bob" || is.Priority != "High" || !contains(is.Components, "Platform") || len(is.Comments) != 2 || len(is.Attachments) != 1 {
		t.Fatalf("assignee %s priority %s components %v comments %d attachments %d", is.Assignee, is.Priority, is.Components, len(is.Comments), len(is.Attachments))
	}
	in := intake()
	in.Summary = "Server crashes when posting to a channel"
	got, err := c.Similar(ctx, in, 3)
	if err != nil || len(got) != 1 || got[0].Key != key || !strings.HasSuffix(got[0].URL, "/browse/"+string(key)) {
		t.Fatalf("Similar = %+v, %v", got, err)
	}
}
