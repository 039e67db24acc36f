package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/setbot/setbot"
)

// Reading who last commented, so that a status update a person posts
// straight in Jira counts for an incident (issue 7, source 3). Comments are
// read newest first (orderBy=-created, in the document for Cloud and taken
// by Data Center too); setbot's own comments, made with its account, are
// skipped: they echo updates already recorded.

const (
	// humanCommentPage is the page asked for when looking for the newest
	// comment by a person: usually the first comment is one.
	humanCommentPage = 20
	// maxCommentsScanned bounds the look: a ticket whose newest 1,000
	// comments are all setbot's has no recent human comment worth reading.
	// setbot's own bound.
	maxCommentsScanned = 1000
)

var _ setbot.CommentReader = (*Client)(nil)

// LastHumanComment returns the time and author of the newest comment on
// the ticket not made by setbot's own account (see setbot.CommentReader).
// Failures are logged at warning level only: the caller asks again later.
func (c *Client) LastHumanComment(ctx context.Context, key setbot.IssueKey) (time.Time, setbot.Username, bool, error) {
	at, by, found, err := c.lastHumanComment(ctx, key)
	if err != nil {
		se := personOf(err)
		c.log.Warn().Str("op", "read comments").Str("issue", string(key)).Str("code", se.Code).Err(err).Msg("jira call failed")
		return time.Time{}, "", false, se
	}
	return at, by, found, nil
}

func (c *Client) lastHumanComment(ctx context.Context, key setbot.IssueKey) (time.Time, setbot.Username, bool, error) {
	self, err := c.myself(ctx)
	if err != nil {
		return time.Time{}, "", false, err
	}
	var best time.Time
	var author *userBean
	err = c.commentPages(ctx, key, url.Values{"orderBy": {"-created"}}, humanCommentPage, maxCommentsScanned, func(p *commentPage) bool {
		// The newest in the page, whatever order the server kept.
		for _, cm := range p.Comments {
			t, err := parseJiraTime(cm.Created)
			if err != nil || self.is(cm.Author, c.cfg.Deployment) || !t.After(best) {
				continue
			}
			best, author = t, cm.Author
		}
		return !best.IsZero()
	})
	if err != nil || best.IsZero() {
		return time.Time{}, "", false, err
	}
	return best, c.usernameOf(author), true, nil
}

// commentPages reads the ticket's comments a page of size at a time, from
// the first in the order q asks (q also holds any expansion), and hands
// each page to fn until fn reports done, the comments end or limit
// comments were read.
func (c *Client) commentPages(ctx context.Context, key setbot.IssueKey, q url.Values, size, limit int, fn func(*commentPage) (done bool)) error {
	for startAt := 0; startAt < limit; {
		q.Set("startAt", strconv.Itoa(startAt))
		q.Set("maxResults", strconv.Itoa(size))
		var p commentPage
		if err := c.do(ctx, call{op: "read the comments of " + string(key), method: http.MethodGet,
			path: apiPath("issue/%s/comment", key), query: q}, &p); err != nil {
			return err
		}
		if fn(&p) {
			return nil
		}
		startAt += len(p.Comments)
		if len(p.Comments) == 0 || startAt >= p.Total {
			return nil
		}
	}
	return nil
}

// usernameOf maps a Jira author back to a Mattermost username through
// [jira.accounts]; "" when it is not there.
func (c *Client) usernameOf(a *userBean) setbot.Username {
	if a == nil {
		return ""
	}
	return c.accountsBack()[a.id(c.cfg.Deployment)]
}

// myself returns setbot's own Jira account, read once with GET /myself.
func (c *Client) myself(ctx context.Context) (*userBean, error) {
	c.mu.Lock()
	s := c.self
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	var me userBean
	if err := c.do(ctx, call{op: "read setbot's own Jira account", method: http.MethodGet, path: apiPath("myself")}, &me); err != nil {
		return nil, err
	}
	if me.AccountID == "" && me.Name == "" && me.Key == "" {
		return nil, fmt.Errorf("read setbot's own Jira account: /myself named no account")
	}
	c.mu.Lock()
	c.self = &me
	c.mu.Unlock()
	return &me, nil
}

// jiraTime is how Jira writes date-times ("+0000", no colon).
const jiraTime = "2006-01-02T15:04:05.000-0700"

// parseJiraTime reads a date-time as Jira writes it ("+0000") or as RFC
// 3339 ("+00:00" or "Z"), the document's date-time format.
func parseJiraTime(s string) (time.Time, error) {
	if t, err := time.Parse(jiraTime, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
