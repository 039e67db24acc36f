package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// route answers one request; s.mu is taken here, not by the caller.
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Path == "/_fake/issues" && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, s.Issues())
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/rest/api/2/")
	if !ok {
		rest, ok = strings.CutPrefix(r.URL.Path, "/rest/api/3/")
	}
	if !ok {
		writeErr(w, http.StatusNotFound, "No such endpoint in the fake Jira: "+r.URL.Path)
		return
	}
	if !s.authorized(r) {
		writeErr(w, http.StatusUnauthorized, "You are not authenticated. Authentication required to perform this operation.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(rest, "/")
	m := r.Method
	switch {
	case rest == "search" && (m == "GET" || m == "POST"):
		if s.opts.DataCenter {
			s.searchDC(w, r, body)
			return
		}
		writeErr(w, http.StatusGone, RemovedSearchMessage)
	case rest == "search/jql" && (m == "GET" || m == "POST"):
		if s.opts.DataCenter {
			writeErr(w, http.StatusNotFound, "null for uri: "+r.URL.Path)
			return
		}
		s.searchJQL(w, r, body)
	case rest == "issue/createmeta" && m == "GET":
		writeErr(w, http.StatusGone, RemovedCreateMetaMessage)
	case len(parts) == 4 && parts[0] == "issue" && parts[1] == "createmeta" && parts[3] == "issuetypes" && m == "GET":
		s.createMetaTypes(w, r, parts[2])
	case len(parts) == 5 && parts[0] == "issue" && parts[1] == "createmeta" && parts[3] == "issuetypes" && m == "GET":
		s.createMetaFields(w, r, parts[2], parts[4])
	case rest == "attachment/meta" && m == "GET":
		writeJSON(w, http.StatusOK, map[string]any{"enabled": true, "uploadLimit": s.opts.UploadLimit})
	case rest == "myself" && m == "GET":
		s.myself(w)
	case rest == "user/search" && m == "GET":
		s.userSearch(w, r)
	case rest == "issue" && m == "POST":
		s.create(w, body)
	case len(parts) == 2 && parts[0] == "issue":
		s.withIssue(w, parts[1], func(is *Issue) {
			switch m {
			case "GET":
				writeJSON(w, http.StatusOK, s.bean(is, r.URL.Query().Get("fields")))
			case "PUT":
				s.edit(w, is, body)
			default:
				writeErr(w, http.StatusMethodNotAllowed, "method not allowed")
			}
		})
	case len(parts) >= 3 && parts[0] == "issue":
		s.withIssue(w, parts[1], func(is *Issue) { s.issueSub(w, r, is, parts[2:], body) })
	default:
		writeErr(w, http.StatusNotFound, "The fake Jira does not implement "+m+" "+r.URL.Path)
	}
}

func (s *Server) issueSub(w http.ResponseWriter, r *http.Request, is *Issue, sub []string, body []byte) {
	m := r.Method
	switch {
	case sub[0] == "assignee" && m == "PUT":
		s.assign(w, is, body)
	case sub[0] == "transitions" && m == "GET":
		writeJSON(w, http.StatusOK, map[string]any{"transitions": transitionsFrom(is.Status)})
	case sub[0] == "transitions" && m == "POST":
		s.transition(w, is, body)
	case sub[0] == "comment" && len(sub) == 1 && m == "GET":
		s.comments(w, r, is)
	case sub[0] == "comment" && len(sub) == 1 && m == "POST":
		s.comment(w, is, body)
	case sub[0] == "attachments" && m == "POST":
		s.attach(w, r, is)
	case sub[0] == "properties" && len(sub) == 2 && m == "PUT":
		s.putProperty(w, is, sub[1], body)
	case sub[0] == "properties" && len(sub) == 2 && m == "GET":
		v, ok := is.Properties[sub[1]]
		if !ok {
			writeErr(w, http.StatusNotFound, "The property with key '"+sub[1]+"' does not exist.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"key": sub[1], "value": v})
	default:
		writeErr(w, http.StatusNotFound, "The fake Jira does not implement "+m+" "+r.URL.Path)
	}
}

func (s *Server) withIssue(w http.ResponseWriter, key string, f func(*Issue)) {
	is := s.issue(key)
	if is == nil {
		writeErr(w, http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
		return
	}
	f(is)
}

// The caller's own account, as GET /myself names it.
const (
	SelfAccountID = "setbot-account" // Cloud
	SelfName      = "setbot"         // Data Center
)

func (s *Server) myself(w http.ResponseWriter) {
	if s.opts.DataCenter {
		writeJSON(w, http.StatusOK, map[string]any{"name": SelfName, "key": SelfName, "displayName": "setbot", "active": true})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accountId": SelfAccountID, "displayName": "setbot",
		"emailAddress": s.opts.Email, "active": true, "accountType": "atlassian"})
}

func (s *Server) userSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := q.Get("query")
	if s.opts.DataCenter {
		term = q.Get("username")
	}
	if strings.TrimSpace(term) == "" {
		writeErr(w, http.StatusBadRequest, "The query parameter 'query' is required.")
		return
	}
	out := []map[string]any{}
	for _, u := range s.opts.Users {
		if !strings.EqualFold(u.Email, term) && !strings.Contains(strings.ToLower(u.Display), strings.ToLower(term)) &&
			!strings.EqualFold(u.Name, term) {
			continue
		}
		if s.opts.DataCenter {
			out = append(out, map[string]any{"name": u.Name, "key": u.Name, "displayName": u.Display, "emailAddress": u.Email, "active": true})
		} else {
			out = append(out, map[string]any{"accountId": u.AccountID, "accountType": "atlassian", "displayName": u.Display,
				"emailAddress": u.Email, "active": true})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// account finds a user by accountId (Cloud) or name (Data Center).
func (s *Server) account(id string) (User, bool) {
	for _, u := range s.opts.Users {
		if (!s.opts.DataCenter && u.AccountID == id) || (s.opts.DataCenter && u.Name == id) {
			return u, true
		}
	}
	return User{}, false
}

func (s *Server) assign(w http.ResponseWriter, is *Issue, body []byte) {
	var req map[string]*string
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, http.StatusBadRequest, "Could not read the request body: "+err.Error())
		return
	}
	idKey := "accountId"
	if s.opts.DataCenter {
		idKey = "name"
	}
	for k := range req {
		if k != idKey {
			writeFieldErr(w, http.StatusBadRequest, "assignee", fmt.Sprintf("Unexpected property %q: this fake expects only %q.", k, idKey))
			return
		}
	}
	id, ok := req[idKey]
	if !ok {
		writeFieldErr(w, http.StatusBadRequest, "assignee", idKey+" is required")
		return
	}
	assignee := "" // null unassigns
	if id != nil {
		if _, ok := s.account(*id); !ok {
			writeFieldErr(w, http.StatusBadRequest, "assignee", fmt.Sprintf("User '%s' cannot be assigned issues.", *id))
			return
		}
		assignee = *id
	}
	is.Assignee = assignee
	is.touch(time.Now().UTC())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) putProperty(w http.ResponseWriter, is *Issue, key string, body []byte) {
	if len(key) > MaxPropertyKey {
		writeErr(w, http.StatusBadRequest, fmt.Sprintf("The property key can not be longer than %d characters.", MaxPropertyKey))
		return
	}
	if utf16Len(string(body)) > MaxPropertyValue {
		writeErr(w, http.StatusBadRequest, fmt.Sprintf("The property value can not be longer than %d characters.", MaxPropertyValue))
		return
	}
	if !json.Valid(body) {
		writeErr(w, http.StatusBadRequest, "The property value must be valid JSON.")
		return
	}
	status := http.StatusCreated
	if _, ok := is.Properties[key]; ok {
		status = http.StatusOK
	}
	is.Properties[key] = append(json.RawMessage(nil), body...)
	writeJSON(w, status, map[string]any{})
}

// utf16Len counts characters the way Jira (Java) does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
