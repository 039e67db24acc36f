package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// entityProperty is a comment property as Jira takes and returns it.
type entityProperty struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// comment is POST /issue/{key}/comment: a body and optional properties
// (checked as Jira checks issue properties: key and value sizes, valid JSON).
func (s *Server) comment(w http.ResponseWriter, is *Issue, body []byte) {
	var req struct {
		Body       *string          `json:"body"`
		Properties []entityProperty `json:"properties"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Body == nil || strings.TrimSpace(*req.Body) == "" {
		writeFieldErr(w, http.StatusBadRequest, "comment", "Comment body can not be empty!")
		return
	}
	if n := utf16Len(*req.Body); n > MaxTextField {
		writeFieldErr(w, http.StatusBadRequest, "comment", fmt.Sprintf("The entered text is too long. It exceeds the allowed limit of %d characters.", MaxTextField))
		return
	}
	c := Comment{Body: *req.Body, Author: s.selfID(), Created: time.Now().UTC()}
	for _, p := range req.Properties {
		if msg := checkProperty(p); msg != "" {
			writeFieldErr(w, http.StatusBadRequest, "properties", msg)
			return
		}
		if c.Properties == nil {
			c.Properties = map[string]json.RawMessage{}
		}
		c.Properties[p.Key] = p.Value
	}
	writeJSON(w, http.StatusCreated, s.commentBean(is, s.addComment(is, c), false))
}

// addComment gives c the next comment id (comment ids are unique across
// issues, as in Jira), adds it to is and moves the issue's updated.
func (s *Server) addComment(is *Issue, c Comment) Comment {
	s.commentSeq++
	c.ID = fmt.Sprint(20000 + s.commentSeq)
	is.Comments = append(is.Comments, c)
	is.touch(c.Created)
	return c
}

func checkProperty(p entityProperty) string {
	switch {
	case p.Key == "":
		return "The property key can not be empty."
	case len(p.Key) > MaxPropertyKey:
		return fmt.Sprintf("The property key can not be longer than %d characters.", MaxPropertyKey)
	case len(p.Value) == 0 || !json.Valid(p.Value):
		return "The property value must be valid JSON."
	case utf16Len(string(p.Value)) > MaxPropertyValue:
		return fmt.Sprintf("The property value can not be longer than %d characters.", MaxPropertyValue)
	}
	return ""
}

// comments is GET /issue/{key}/comment: oldest first, paged with startAt
// and maxResults (at most Options.CommentPage), properties only with
// expand=properties, as Jira does.
func (s *Server) comments(w http.ResponseWriter, r *http.Request, is *Issue) {
	q := r.URL.Query()
	startAt, err := intParam(q.Get("startAt"), 0)
	if err != nil || startAt < 0 {
		writeErr(w, http.StatusBadRequest, "startAt must be a non-negative number")
		return
	}
	max, err := intParam(q.Get("maxResults"), s.opts.CommentPage)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "maxResults must be a number")
		return
	}
	ordered, ok := orderComments(is.Comments, q.Get("orderBy"))
	if !ok {
		writeErr(w, http.StatusBadRequest, "orderBy must be created, +created or -created")
		return
	}
	max = min(max, s.opts.CommentPage)
	if max < 0 {
		max = 0
	}
	expand := slices.Contains(strings.Split(q.Get("expand"), ","), "properties")
	page := []map[string]any{}
	for i := startAt; i < len(ordered) && i < startAt+max; i++ {
		page = append(page, s.commentBean(is, ordered[i], expand))
	}
	writeJSON(w, http.StatusOK, map[string]any{"comments": page, "startAt": startAt, "maxResults": max, "total": len(is.Comments)})
}

func (s *Server) commentBean(is *Issue, c Comment, withProperties bool) map[string]any {
	created := c.Created.Format(commentTime)
	out := map[string]any{"id": c.ID, "body": c.Body, "self": fmt.Sprintf("%s/rest/api/2/issue/%s/comment/%s", s.baseURL, is.ID, c.ID),
		"author": s.userBean(c.Author), "updateAuthor": s.userBean(c.Author), "created": created, "updated": created}
	if withProperties {
		props := []entityProperty{}
		for k, v := range c.Properties {
			props = append(props, entityProperty{Key: k, Value: v})
		}
		slices.SortFunc(props, func(a, b entityProperty) int { return strings.Compare(a.Key, b.Key) })
		out["properties"] = props
	}
	return out
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// commentTime is how the fake writes a comment's times: RFC 3339 with
// milliseconds, as the document's date-time format requires (real Jira
// writes the offset without a colon, "+0000", which the client also reads).
const commentTime = "2006-01-02T15:04:05.000Z07:00"

// orderComments is the orderBy parameter as the document allows it:
// created or +created (oldest first, the default) or -created.
func orderComments(cs []Comment, orderBy string) ([]Comment, bool) {
	switch orderBy {
	case "", "created", "+created":
		out := slices.Clone(cs)
		slices.SortStableFunc(out, func(a, b Comment) int { return a.Created.Compare(b.Created) })
		return out, true
	case "-created":
		out := slices.Clone(cs)
		slices.SortStableFunc(out, func(a, b Comment) int { return b.Created.Compare(a.Created) })
		return out, true
	}
	return nil, false
}

// selfID is the account the API caller (setbot) has.
func (s *Server) selfID() string {
	if s.opts.DataCenter {
		return SelfName
	}
	return SelfAccountID
}

// userBean is a comment author as Jira writes it (UserDetails): unknown
// accounts get their id as display name.
func (s *Server) userBean(id string) map[string]any {
	display := id
	switch u, ok := s.account(id); {
	case id == s.selfID():
		display = "setbot"
	case ok:
		display = u.Display
	}
	if s.opts.DataCenter {
		return map[string]any{"name": id, "key": id, "displayName": display, "active": true}
	}
	return map[string]any{"accountId": id, "accountType": "atlassian", "displayName": display, "active": true}
}

// AddComment adds a comment written by author (an accountId on Cloud, a
// username on Data Center) now, as a person would in Jira's web page, and
// returns its id. It panics when the issue does not exist.
func (s *Server) AddComment(key, author, body string) string {
	return s.AddCommentAt(key, author, body, time.Now().UTC())
}

// AddCommentAt is AddComment made at a given time.
func (s *Server) AddCommentAt(key, author, body string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issue(key)
	if is == nil {
		panic("jiratest: AddComment on a missing issue " + key)
	}
	return s.addComment(is, Comment{Body: body, Author: author, Created: at.UTC()}).ID
}
