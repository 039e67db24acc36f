package jira_test

import (
	"context"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestRoutedFilingGoesToTheOtherProject: a feature request filed through a
// routed client lands in the product team's project with its issue type,
// component and labels, unassigned and not moved; filing again finds it.
func TestRoutedFilingGoesToTheOtherProject(t *testing.T) {
	fake := jiratest.New(t, jiratest.Options{MoreProjects: []string{"PM"}})
	cfg := jira.Config{URL: fake.URL(), Email: "bot@example.com", Token: "fake-token", Project: "SET"}
	c, err := jira.NewRouted(cfg, jira.Route{Project: "PM", Component: "Platform", Labels: []string{"from-support"}})
	if err != nil {
		t.Fatal(err)
	}
	r := request()
	r.Intake.Type = setbot.TypeFeature
	r.Assignee, r.AssigneeEmail, r.Files = "", "", nil
	ctx := context.Background()
	got, err := c.FileOnce(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.FileOnce(ctx, r)
	if err != nil || again.Key != got.Key {
		t.Fatalf("filing again: %+v %v, want %s", again, err, got.Key)
	}
	issues := fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	is := issues[0]
	if is.Project != "PM" || is.Key != string(got.Key) || is.IssueType != "Story" || is.Assignee != "" || is.Status != "To Do" ||
		!contains(is.Components, "Platform") || !contains(is.Labels, "from-support") || contains(is.Labels, "sustained-engineering") {
		t.Errorf("routed issue %s: project %s type %s assignee %q status %s components %v labels %v",
			is.Key, is.Project, is.IssueType, is.Assignee, is.Status, is.Components, is.Labels)
	}
}
