package jira

import (
	"context"
	"net/http"
)

// searchPage is the page size setbot asks for; Jira caps it anyway.
const searchPage = 50

// search returns up to max issues matching jql with the given fields.
func (c *Client) search(ctx context.Context, op, jql string, fields []string, max int) ([]issueBean, error) {
	return searchAll[issueBean](ctx, c, op, jql, fields, max)
}

// searchAll pages through the issues matching jql, decoded as B, with
// nextPageToken on Cloud (POST /search/jql; the old /search is removed
// there) and startAt on Data Center (which has only /search).
func searchAll[B any](ctx context.Context, c *Client, op, jql string, fields []string, max int) ([]B, error) {
	var out []B
	if c.cfg.Deployment == DataCenter {
		for len(out) < max {
			var page searchDCPage[B]
			req := searchDC{JQL: jql, StartAt: len(out), MaxResults: min(searchPage, max-len(out)), Fields: fields}
			if err := c.do(ctx, call{op: op, method: http.MethodPost, path: apiPath("search"), body: req, idempotent: true}, &page); err != nil {
				return nil, err
			}
			out = append(out, page.Issues...)
			if len(page.Issues) == 0 || page.StartAt+len(page.Issues) >= page.Total {
				break
			}
		}
		return out[:min(len(out), max)], nil
	}
	token := ""
	for len(out) < max {
		var page searchJQLPage[B]
		req := searchJQL{JQL: jql, Fields: fields, MaxResults: min(searchPage, max-len(out)), NextPageToken: token}
		if err := c.do(ctx, call{op: op, method: http.MethodPost, path: apiPath("search/jql"), body: req, idempotent: true}, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Issues...)
		if page.IsLast || page.NextPageToken == "" || len(page.Issues) == 0 {
			break
		}
		token = page.NextPageToken
	}
	return out[:min(len(out), max)], nil
}

// issueFieldsWanted are the fields setbot reads from an issue.
var issueFieldsWanted = []string{"summary", "status", "assignee", "labels", "attachment"}

// findByLabel returns the project's issue carrying label, or nil.
func (c *Client) findByLabel(ctx context.Context, label string) (*issueBean, error) {
	jql := "project = " + QuoteJQL(c.cfg.Project) + " AND labels = " + QuoteJQL(label) + " ORDER BY created ASC"
	found, err := c.search(ctx, "look for the ticket already filed", jql, issueFieldsWanted, 1)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return &found[0], nil
}
