package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// Exactly-once comments. A comment carries the caller's ref in a comment
// property (Jira REST v2 comment create takes "properties"; the comment
// list returns them with expand=properties, on Cloud and Data Center). Each
// attempt first reads the ticket: a comment with the ref means the work is
// done; files already attached (same name and size) are not uploaded again.
// Writes are made once per attempt and never retried in place, so every
// write follows a fresh look.

const (
	// refPropertyKey is the comment property holding the ref a comment
	// was made with.
	refPropertyKey  = "setbot.ref"
	refPropertyVers = 1
	// maxRef is the longest ref taken: setbot's own bound, far below Jira's
	// 32,768 characters for a property value.
	maxRef = 255
	// commentPageSize is the page asked for: the document's default
	// maxResults. Jira may serve fewer; paging follows startAt and total.
	commentPageSize = 100
)

// refValue is the value of the refPropertyKey property.
type refValue struct {
	Version int    `json:"version"`
	Ref     string `json:"ref"`
}

var _ setbot.OnceCommenter = (*Client)(nil)

// CommentOnce attaches files (linking those too large for Jira) and
// comments, at most once per ref on the ticket; see setbot.OnceCommenter.
func (c *Client) CommentOnce(ctx context.Context, key setbot.IssueKey, ref string, text string, files []setbot.TicketFile) error {
	return c.public("comment", c.commentOnce(ctx, key, ref, plain(text), files))
}

// HandoverOnce is Handover with its comment made at most once per ref.
func (c *Client) HandoverOnce(ctx context.Context, key setbot.IssueKey, ref string, team string, comment string) error {
	text, err := c.handover(ctx, key, team, comment)
	if err != nil {
		return c.public("handover", err)
	}
	return c.public("handover", c.commentOnce(ctx, key, ref, text, nil))
}

// commentOnce comments markup (wiki markup, already escaped) with lines
// for files appended, once per ref. It tries up to the policy's attempts,
// looking at the ticket before each.
func (c *Client) commentOnce(ctx context.Context, key setbot.IssueKey, ref, markup string, files []setbot.TicketFile) error {
	if ref = strings.TrimSpace(ref); ref == "" || len(ref) > maxRef {
		return fmt.Errorf("comment once on %s: ref must be 1 to %d bytes, got %d", key, maxRef, len(ref))
	}
	meta, err := c.ensureMeta(ctx)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		wrote, err := c.commentOnceAttempt(ctx, meta, key, ref, markup, files)
		wait, again := retryWait(err)
		if !wrote || !again || attempt >= c.policy.MaxAttempts {
			return err
		}
		c.log.Warn().Str("issue", string(key)).Str("ref", ref).Err(err).Int("attempt", attempt).Dur("wait", wait).
			Msg("comment-once write failed; looking at the ticket again before retrying")
		if serr := c.sleep(ctx, wait); serr != nil {
			return err
		}
	}
}

// commentOnceAttempt reads the ticket and makes what is missing. wrote
// reports that the error, if any, came from a write (worth another look).
func (c *Client) commentOnceAttempt(ctx context.Context, meta *projectMeta, key setbot.IssueKey, ref, markup string, files []setbot.TicketFile) (wrote bool, err error) {
	id, err := c.findComment(ctx, key, ref)
	if err != nil || id != "" {
		if id != "" {
			c.log.Info().Str("issue", string(key)).Str("ref", ref).Str("comment", id).Msg("comment already made; not making it again")
		}
		return false, err
	}
	lines, wrote, err := c.attachOnce(ctx, meta, key, files)
	if err != nil {
		return wrote, err
	}
	body := commentReq{Body: fitDescription(markup + lines),
		Properties: []entityProperty{{Key: refPropertyKey, Value: refValue{Version: refPropertyVers, Ref: ref}}}}
	err = c.do(ctx, call{op: "comment on " + string(key), method: http.MethodPost,
		path: apiPath("issue/%s/comment", key), body: body, single: true}, nil)
	return true, err
}

// retryWait reports whether a failed write may be tried again after a look,
// and after how long.
func retryWait(err error) (time.Duration, bool) {
	var e *apiError
	if !errors.As(err, &e) || !e.retryable || e.wait > maxRetryAfter {
		return 0, false
	}
	return e.wait, true
}

// findComment returns the id of the ticket's comment made with ref, or "".
// Every comment is read: a ref missed would comment twice.
func (c *Client) findComment(ctx context.Context, key setbot.IssueKey, ref string) (id string, err error) {
	err = c.commentPages(ctx, key, url.Values{"expand": {"properties"}}, commentPageSize, math.MaxInt, func(p *commentPage) bool {
		for _, cm := range p.Comments {
			for _, prop := range cm.Properties {
				var v refValue
				if prop.Key == refPropertyKey && json.Unmarshal(prop.Value, &v) == nil && v.Ref == ref {
					id = cm.ID
					return true
				}
			}
		}
		return false
	})
	return id, err
}

// fileKey is how a retry recognizes a file it attached before.
type fileKey struct {
	name string
	size int64
}

// attachOnce uploads the files that fit and are not on the ticket yet, one
// made-once request each, and returns the comment lines naming them. A
// file too large for Jira, or refused as such, is linked instead. wrote
// reports that an error came from an upload.
func (c *Client) attachOnce(ctx context.Context, meta *projectMeta, key setbot.IssueKey, files []setbot.TicketFile) (lines string, wrote bool, err error) {
	var b strings.Builder
	var have map[fileKey]bool
	for _, f := range files {
		up := f
		up.Name = attachName(f.Name)
		id := fileKey{up.Name, f.Content.Len()}
		if !meta.attachments || id.size > meta.uploadLimit {
			b.WriteString("\n* " + tooLargeLine(f.Name, f.Link, meta.uploadLimit))
			continue
		}
		if have == nil {
			if have, err = c.attachments(ctx, key); err != nil {
				return "", false, err
			}
		}
		if !have[id] {
			err := c.do(ctx, call{op: "attach " + up.Name + " to " + string(key), method: http.MethodPost,
				path: apiPath("issue/%s/attachments", key), upload: &up, single: true}, nil)
			if statusOf(err) == http.StatusRequestEntityTooLarge {
				fmt.Fprintf(&b, "\n* %s — Jira refused it as too large, so it stays in Mattermost", link(f.Name, f.Link))
				continue
			}
			if err != nil {
				return "", true, err
			}
			have[id] = true
		}
		b.WriteString("\n* [^" + up.Name + "]")
	}
	return b.String(), false, nil
}

// attachments returns the names and sizes of the ticket's attachments.
func (c *Client) attachments(ctx context.Context, key setbot.IssueKey) (map[fileKey]bool, error) {
	var is issueBean
	if err := c.do(ctx, call{op: "read the attachments of " + string(key), method: http.MethodGet,
		path: apiPath("issue/%s", key), query: url.Values{"fields": {"attachment"}}}, &is); err != nil {
		return nil, err
	}
	have := map[fileKey]bool{}
	for _, a := range is.Fields.Attachment {
		have[fileKey{a.Filename, a.Size}] = true
	}
	return have, nil
}
