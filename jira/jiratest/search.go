package jiratest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Paging limits of the fake (Jira Cloud's are larger for id-only pages).
const (
	defaultSearchResults = 50
	maxSearchResults     = 100
)

// unboundedMessage is Jira Cloud's answer to JQL without a restriction.
const unboundedMessage = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."

type searchReq struct {
	JQL           string   `json:"jql"`
	Fields        []string `json:"fields"`
	MaxResults    *int     `json:"maxResults"`
	NextPageToken string   `json:"nextPageToken"`
	StartAt       int      `json:"startAt"`
}

func readSearch(r *http.Request, body []byte) (searchReq, error) {
	var req searchReq
	if r.Method == http.MethodPost {
		err := json.Unmarshal(body, &req)
		return req, err
	}
	q := r.URL.Query()
	req.JQL = q.Get("jql")
	req.NextPageToken = q.Get("nextPageToken")
	if f := q.Get("fields"); f != "" {
		req.Fields = strings.Split(f, ",")
	}
	if m := q.Get("maxResults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			return req, err
		}
		req.MaxResults = &n
	}
	req.StartAt, _ = strconv.Atoi(q.Get("startAt"))
	return req, nil
}

// matching runs a query over the issues, consuming one step of each new
// issue's search lag.
func (s *Server) matching(w http.ResponseWriter, req searchReq, bounded bool) ([]*Issue, bool) {
	q, err := parseJQL(req.JQL, s.released())
	if err != nil {
		writeErr(w, http.StatusBadRequest, "Error in the JQL Query: "+err.Error())
		return nil, false
	}
	if bounded && !q.fields["project"] && !q.fields["key"] && !q.fields["issuekey"] {
		writeErr(w, http.StatusBadRequest, unboundedMessage)
		return nil, false
	}
	var out []*Issue
	for _, is := range s.issues {
		if is.hiddenFor > 0 {
			is.hiddenFor--
			continue
		}
		if q.pred(is) {
			out = append(out, is)
		}
	}
	if q.byRank {
		slices.SortStableFunc(out, func(a, b *Issue) int {
			if q.desc {
				return cmp.Compare(b.Rank, a.Rank)
			}
			return cmp.Compare(a.Rank, b.Rank)
		})
	}
	return out, true
}

// released is the set of released versions.
func (s *Server) released() map[string]bool {
	out := map[string]bool{}
	for _, v := range s.opts.ReleasedVersions {
		out[v] = true
	}
	return out
}

func pageSize(m *int) (int, bool) {
	if m == nil {
		return defaultSearchResults, true
	}
	if *m < 0 {
		return 0, false
	}
	return min(*m, maxSearchResults), true
}

// readPagedSearch reads a search request and its page size, answering 400
// itself when either is wrong.
func readPagedSearch(w http.ResponseWriter, r *http.Request, body []byte) (searchReq, int, bool) {
	req, err := readSearch(r, body)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "Could not read the search: "+err.Error())
		return req, 0, false
	}
	n, ok := pageSize(req.MaxResults)
	if !ok {
		writeErr(w, http.StatusBadRequest, "maxResults must not be negative")
	}
	return req, n, ok
}

// searchJQL is Cloud's /search/jql: token paging, isLast, no total, only
// ids unless fields are asked for.
func (s *Server) searchJQL(w http.ResponseWriter, r *http.Request, body []byte) {
	req, n, ok := readPagedSearch(w, r, body)
	if !ok {
		return
	}
	start := 0
	var err error
	if req.NextPageToken != "" {
		start, err = strconv.Atoi(strings.TrimPrefix(req.NextPageToken, "fake-page-"))
		if err != nil || !strings.HasPrefix(req.NextPageToken, "fake-page-") {
			writeErr(w, http.StatusBadRequest, "The nextPageToken is invalid.")
			return
		}
	}
	all, ok := s.matching(w, req, true)
	if !ok {
		return
	}
	issues := []map[string]any{}
	end := min(start+n, len(all))
	for _, is := range all[min(start, len(all)):end] {
		if len(req.Fields) == 0 {
			issues = append(issues, map[string]any{"id": is.ID})
			continue
		}
		issues = append(issues, s.bean(is, strings.Join(req.Fields, ",")))
	}
	out := map[string]any{"issues": issues, "isLast": end >= len(all)}
	if end < len(all) {
		out["nextPageToken"] = fmt.Sprintf("fake-page-%d", end)
	}
	writeJSON(w, http.StatusOK, out)
}

// searchDC is Data Center's /search: startAt paging with a total.
func (s *Server) searchDC(w http.ResponseWriter, r *http.Request, body []byte) {
	req, n, ok := readPagedSearch(w, r, body)
	if !ok {
		return
	}
	all, ok := s.matching(w, req, false)
	if !ok {
		return
	}
	fields := strings.Join(req.Fields, ",")
	if fields == "" {
		fields = "*all"
	}
	issues := []map[string]any{}
	start := min(max(req.StartAt, 0), len(all))
	for _, is := range all[start:min(start+n, len(all))] {
		issues = append(issues, s.bean(is, fields))
	}
	writeJSON(w, http.StatusOK, map[string]any{"startAt": start, "maxResults": n, "total": len(all), "issues": issues})
}

func metaPage(r *http.Request) (start, n int, ok bool) {
	q := r.URL.Query()
	start, _ = strconv.Atoi(q.Get("startAt"))
	n = 50
	if m := q.Get("maxResults"); m != "" {
		var err error
		if n, err = strconv.Atoi(m); err != nil || n < 0 || n > MaxCreateMetaResults {
			return 0, 0, false
		}
	}
	return max(start, 0), n, true
}

func (s *Server) createMetaTypes(w http.ResponseWriter, r *http.Request, project string) {
	if _, ok := s.project(project); !ok {
		writeErr(w, http.StatusNotFound, "No project could be found with key '"+project+"'.")
		return
	}
	start, n, ok := metaPage(r)
	if !ok {
		writeErr(w, http.StatusBadRequest, fmt.Sprintf("maxResults must be between 0 and %d", MaxCreateMetaResults))
		return
	}
	var types []map[string]any
	for _, t := range issueTypes {
		types = append(types, map[string]any{"id": t.ID, "name": t.Name, "subtask": false,
			"self": s.baseURL + "/rest/api/2/issuetype/" + t.ID})
	}
	end := min(start+n, len(types))
	writeJSON(w, http.StatusOK, map[string]any{"issueTypes": nonNilMaps(types[min(start, len(types)):end]),
		"startAt": start, "maxResults": n, "total": len(types)})
}

func (s *Server) createMetaFields(w http.ResponseWriter, r *http.Request, project, typeID string) {
	known := false
	for _, t := range issueTypes {
		known = known || t.ID == typeID
	}
	if _, ok := s.project(project); !ok || !known {
		writeErr(w, http.StatusNotFound, "The project or issue type could not be found.")
		return
	}
	start, n, ok := metaPage(r)
	if !ok {
		writeErr(w, http.StatusBadRequest, fmt.Sprintf("maxResults must be between 0 and %d", MaxCreateMetaResults))
		return
	}
	var fields []map[string]any
	for _, f := range s.screen() {
		m := map[string]any{"fieldId": f.ID, "key": f.ID, "name": f.Name, "required": f.Required,
			"hasDefaultValue": f.HasDefault, "operations": []string{"set"}, "schema": fieldSchema(f.ID)}
		if len(f.Allowed) > 0 {
			var allowed []map[string]any
			for i, a := range f.Allowed {
				key := "name"
				if strings.HasPrefix(f.ID, "customfield_") {
					key = "value"
				}
				allowed = append(allowed, map[string]any{"id": fmt.Sprint(i + 1), key: a})
			}
			m["allowedValues"] = allowed
		}
		fields = append(fields, m)
	}
	end := min(start+n, len(fields))
	writeJSON(w, http.StatusOK, map[string]any{"fields": nonNilMaps(fields[min(start, len(fields)):end]),
		"startAt": start, "maxResults": n, "total": len(fields)})
}

func nonNilMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}

func fieldSchema(id string) map[string]any {
	switch id {
	case "labels":
		return map[string]any{"type": "array", "items": "string", "system": id}
	case "components":
		return map[string]any{"type": "array", "items": "component", "system": id}
	case "summary", "description":
		return map[string]any{"type": "string", "system": id}
	case "assignee", "reporter":
		return map[string]any{"type": "user", "system": id}
	}
	if strings.HasPrefix(id, "customfield_") {
		return map[string]any{"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10042}
	}
	return map[string]any{"type": id, "system": id}
}
