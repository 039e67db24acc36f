package jira

import (
	"context"
	"slices"
	"strings"

	"github.com/setbot/setbot"
)

var _ setbot.TicketLister = (*Client)(nil)

// listFields are the fields the weekly reports show.
var listFields = []string{"summary", "status", "priority", "assignee", "labels", "components", "updated"}

// listedBean is an issue as the open-ticket listing reads it.
type listedBean struct {
	Key    string `json:"key"`
	Fields struct {
		Summary    string      `json:"summary"`
		Status     *statusBean `json:"status"`
		Priority   *nameRef    `json:"priority"`
		Assignee   *userBean   `json:"assignee"`
		Labels     []string    `json:"labels"`
		Components []nameRef   `json:"components"`
		Updated    string      `json:"updated"`
	} `json:"fields"`
}

// OpenTickets returns up to max tickets of the project whose status is not
// in the Done category, most urgent first as Jira orders them (priority,
// then least recently updated). The assignee is mapped back to a
// Mattermost username through [jira.accounts] when it is there.
func (c *Client) OpenTickets(ctx context.Context, max int) ([]setbot.Issue, error) {
	if max <= 0 {
		return nil, nil
	}
	jql := "project = " + QuoteJQL(c.cfg.Project) + " AND statusCategory != Done ORDER BY priority DESC, updated ASC"
	beans, err := searchAll[listedBean](ctx, c, "list the open tickets", jql, listFields, max)
	if err != nil {
		return nil, c.public("list", err)
	}
	back := c.accountsBack()
	out := make([]setbot.Issue, 0, len(beans))
	for _, b := range beans {
		out = append(out, c.listed(b, back))
	}
	return out, nil
}

// accountsBack maps Jira accounts to Mattermost usernames ([jira.accounts]
// read backwards).
func (c *Client) accountsBack() map[string]setbot.Username {
	back := map[string]setbot.Username{}
	for mm, acct := range c.cfg.Accounts {
		back[acct] = setbot.Username(mm)
	}
	return back
}

// listed turns a bean into an Issue; back maps Jira accounts to usernames.
func (c *Client) listed(b listedBean, back map[string]setbot.Username) setbot.Issue {
	key := setbot.IssueKey(b.Key)
	f := b.Fields
	is := setbot.Issue{Key: key, URL: c.browseURL(key), Summary: f.Summary, Priority: c.priorityOf(f.Labels, f.Priority)}
	if f.Status != nil {
		is.Status = f.Status.Name
	}
	is.Done = f.Status.done()
	if a := f.Assignee; a != nil {
		is.Assignee = back[a.id(c.cfg.Deployment)]
		is.AssigneeName = a.DisplayName
		if is.AssigneeName == "" {
			is.AssigneeName = "someone without a display name"
		}
	}
	if t, err := parseJiraTime(f.Updated); err == nil {
		is.Updated = t
	}
	is.HandedOver = c.handedOver(b)
	return is
}

// handedOver reports whether a listed ticket is with another team: it
// carries labelHandedOver, or the component or assignee of a configured
// handover team.
func (c *Client) handedOver(b listedBean) bool {
	if slices.Contains(b.Fields.Labels, labelHandedOver) {
		return true
	}
	for _, t := range c.cfg.HandoverTeams {
		for _, comp := range b.Fields.Components {
			if t.Component != "" && strings.EqualFold(comp.Name, t.Component) {
				return true
			}
		}
		if a := b.Fields.Assignee; a != nil && t.Assignee != "" && a.id(c.cfg.Deployment) == t.Assignee {
			return true
		}
	}
	return false
}

// priorityOf reads the support level: setbot's priority label first (it
// says L1–L4 exactly), else the Jira priority mapped back through
// [jira.priorities].
func (c *Client) priorityOf(labels []string, p *nameRef) setbot.Priority {
	for pr := setbot.L1; pr <= setbot.L4; pr++ {
		for _, l := range labels {
			if l == priorityLabel(pr) {
				return pr
			}
		}
	}
	if p == nil {
		return setbot.PriorityUnset
	}
	for pr := setbot.L1; pr <= setbot.L4; pr++ {
		if strings.EqualFold(c.cfg.priorityName(pr), p.Name) {
			return pr
		}
	}
	return setbot.PriorityUnset
}
