package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	c := Comment{ID: fmt.Sprint(20000 + len(is.Comments)), Body: *req.Body}
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
	is.Comments = append(is.Comments, c)
	writeJSON(w, http.StatusCreated, s.commentBean(is, c, false))
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
	if ob := q.Get("orderBy"); ob != "" && ob != "created" && ob != "+created" {
		writeErr(w, http.StatusBadRequest, "The fake Jira orders comments by created only")
		return
	}
	max = min(max, s.opts.CommentPage)
	if max < 0 {
		max = 0
	}
	expand := slices.Contains(strings.Split(q.Get("expand"), ","), "properties")
	page := []map[string]any{}
	for i := startAt; i < len(is.Comments) && i < startAt+max; i++ {
		page = append(page, s.commentBean(is, is.Comments[i], expand))
	}
	writeJSON(w, http.StatusOK, map[string]any{"comments": page, "startAt": startAt, "maxResults": max, "total": len(is.Comments)})
}

func (s *Server) commentBean(is *Issue, c Comment, withProperties bool) map[string]any {
	out := map[string]any{"id": c.ID, "body": c.Body, "self": fmt.Sprintf("%s/rest/api/2/issue/%s/comment/%s", s.baseURL, is.ID, c.ID)}
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
