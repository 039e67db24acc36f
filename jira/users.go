package jira

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/setbot/setbot"
)

// account returns the Jira account of a Mattermost user: [jira.accounts]
// first, else a user search by email (go-jira's User.Find does not escape
// its query; url.Values does).
func (c *Client) account(ctx context.Context, user setbot.Username, email string) (string, error) {
	if id, ok := c.cfg.Accounts[string(user)]; ok {
		return id, nil
	}
	if email == "" {
		return "", setbot.Errorf(setbot.ENotFound, "I don't know @%s's Jira account: add it to [jira.accounts] in setbot's configuration, then assign by hand.", user)
	}
	q := url.Values{"query": {email}}
	if c.cfg.Deployment == DataCenter {
		q = url.Values{"username": {email}}
	}
	var users []userBean
	if err := c.do(ctx, call{op: "look up @" + string(user) + " in Jira", method: http.MethodGet, path: apiPath("user/search"), query: q}, &users); err != nil {
		return "", err
	}
	var match []userBean
	for _, u := range users {
		if strings.EqualFold(u.EmailAddress, email) || len(users) == 1 {
			match = append(match, u)
		}
	}
	if len(match) != 1 {
		return "", setbot.Errorf(setbot.ENotFound, "I couldn't find exactly one Jira account for @%s by email: add it to [jira.accounts] in setbot's configuration, then assign by hand.", user)
	}
	return match[0].id(c.cfg.Deployment), nil
}

// assign sets (or, for an empty user and email, clears) the assignee.
func (c *Client) assign(ctx context.Context, key setbot.IssueKey, user setbot.Username, email string) error {
	idKey := "accountId"
	if c.cfg.Deployment == DataCenter {
		idKey = "name"
	}
	var id *string // nil unassigns: go-jira's UpdateAssignee cannot send null
	if user != "" || email != "" {
		acct, err := c.account(ctx, user, email)
		if err != nil {
			return err
		}
		id = &acct
	}
	return c.do(ctx, call{op: "assign " + string(key), method: http.MethodPut, path: apiPath("issue/%s/assignee", key),
		body: map[string]*string{idKey: id}}, nil)
}
