package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/setbot/setbot"
)

// Get returns a ticket with what the listing shows: status, priority,
// assignee (mapped back to a Mattermost username when it can be) and when it
// was last updated.
func (c *Client) Get(ctx context.Context, key setbot.IssueKey) (setbot.Issue, error) {
	var b listedBean
	err := c.do(ctx, call{op: "read " + string(key), method: http.MethodGet, path: apiPath("issue/%s", key),
		query: url.Values{"fields": {strings.Join(listFields, ",")}}}, &b)
	if err != nil {
		return setbot.Issue{}, c.public("get", err)
	}
	return c.listed(b, c.accountsBack()), nil
}

// Comment attaches files (linking those too large for Jira) and comments.
func (c *Client) Comment(ctx context.Context, key setbot.IssueKey, text string, files []setbot.TicketFile) error {
	meta, err := c.ensureMeta(ctx)
	if err != nil {
		return c.public("comment", err)
	}
	body := plain(text)
	var fit []setbot.TicketFile
	for _, f := range files {
		if !meta.attachments || f.Content.Len() > meta.uploadLimit {
			body += "\n* " + tooLargeLine(f.Name, f.Link, meta.uploadLimit)
			continue
		}
		fit = append(fit, f)
		body += "\n* [^" + attachName(f.Name) + "]"
	}
	if _, err := c.attach(ctx, key, fit); err != nil {
		return c.public("comment", err)
	}
	return c.public("comment", c.comment(ctx, key, body))
}

// plain is person-typed text as wiki markup that renders as typed.
func plain(text string) string {
	if strings.ContainsAny(strings.TrimSpace(text), "\n\r") {
		return block(text)
	}
	return inline(text)
}

// Assign assigns the ticket, or unassigns it for an empty user and email.
func (c *Client) Assign(ctx context.Context, key setbot.IssueKey, user setbot.Username, email string) error {
	return c.public("assign", c.assign(ctx, key, user, email))
}

// SetPriority sets the Jira priority mapped from p and swaps the priority
// label, in one edit.
func (c *Client) SetPriority(ctx context.Context, key setbot.IssueKey, p setbot.Priority) error {
	if !p.Valid() {
		return setbot.Errorf(setbot.EInvalid, "%q is not a priority: use L1, L2, L3 or L4.", p)
	}
	var ops []map[string]any
	for other := setbot.L1; other <= setbot.L4; other++ {
		if other != p {
			ops = append(ops, map[string]any{"remove": priorityLabel(other)})
		}
	}
	ops = append(ops, map[string]any{"add": priorityLabel(p)})
	body := issueCreate{Fields: map[string]any{"priority": nameRef{Name: c.cfg.priorityName(p)}},
		Update: map[string][]map[string]any{"labels": ops}}
	return c.public("set priority", c.do(ctx, call{op: "change the priority of " + string(key), method: http.MethodPut,
		path: apiPath("issue/%s", key), body: body}, nil))
}

// Handover gives the ticket to team as configured in [jira.handover_teams]
// (its component added, its assignee set) and comments; the SET labels and
// component stay, so SET remains the contact.
func (c *Client) Handover(ctx context.Context, key setbot.IssueKey, team string, comment string) error {
	text, err := c.handover(ctx, key, team, comment)
	if err != nil {
		return c.public("handover", err)
	}
	return c.public("handover", c.comment(ctx, key, text))
}

// handover makes the handover's changes (each may be repeated harmlessly)
// and returns the comment to make, in wiki markup.
func (c *Client) handover(ctx context.Context, key setbot.IssueKey, team string, comment string) (string, error) {
	name, t, ok := c.handoverTeam(team)
	if !ok {
		var known []string
		for n := range c.cfg.HandoverTeams {
			known = append(known, n)
		}
		slices.Sort(known)
		if len(known) == 0 {
			return "", setbot.Errorf(setbot.EUnconfigured, "No teams are configured for handover: an admin needs to fill [jira.handover_teams].")
		}
		return "", setbot.Errorf(setbot.EInvalid, "I don't know the team %q. Teams I can hand over to: %s.", team, strings.Join(known, ", "))
	}
	update := map[string][]map[string]any{"labels": {{"add": labelHandedOver}}}
	if t.Component != "" {
		update["components"] = []map[string]any{{"add": nameRef{Name: t.Component}}}
	}
	if err := c.do(ctx, call{op: "hand " + string(key) + " over to " + name, method: http.MethodPut,
		path: apiPath("issue/%s", key), body: issueCreate{Update: update}}, nil); err != nil {
		return "", err
	}
	if t.Assignee != "" {
		idKey := "accountId"
		if c.cfg.Deployment == DataCenter {
			idKey = "name"
		}
		if err := c.do(ctx, call{op: "assign " + string(key) + " to " + name, method: http.MethodPut,
			path: apiPath("issue/%s/assignee", key), body: map[string]string{idKey: t.Assignee}}, nil); err != nil {
			return "", err
		}
	}
	text := fmt.Sprintf("Handed over to *%s* by SET via setbot. SET stays the contact for support on this ticket.", inline(name))
	if strings.TrimSpace(comment) != "" {
		text += "\n" + plain(comment)
	}
	return text, nil
}

func (c *Client) handoverTeam(team string) (string, HandoverTeam, bool) {
	for name, t := range c.cfg.HandoverTeams {
		if strings.EqualFold(name, strings.TrimSpace(team)) {
			return name, t, true
		}
	}
	return "", HandoverTeam{}, false
}
