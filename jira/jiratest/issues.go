package jiratest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// issueTypes are the project's issue types, by id.
var issueTypes = []struct{ ID, Name string }{{"10001", "Bug"}, {"10002", "Story"}, {"10003", "Task"}}

// Priorities and Components the fake's project offers.
var (
	Priorities = []string{"Highest", "High", "Medium", "Low", "Lowest"}
	Components = []string{"Sustained Engineering", "Platform", "Web App", "Mobile"}
)

// screen is the create screen of every issue type.
func (s *Server) screen() []Field {
	f := []Field{
		{ID: "summary", Name: "Summary", Required: true},
		{ID: "issuetype", Name: "Issue Type", Required: true},
		{ID: "project", Name: "Project", Required: true},
		{ID: "reporter", Name: "Reporter", Required: true, HasDefault: true},
		{ID: "description", Name: "Description"},
		{ID: "priority", Name: "Priority", HasDefault: true, Allowed: Priorities},
		{ID: "labels", Name: "Labels"},
		{ID: "components", Name: "Components", Allowed: Components},
		{ID: "assignee", Name: "Assignee"},
	}
	return append(f, s.opts.ExtraFields...)
}

func (s *Server) fieldOnScreen(id string) (Field, bool) {
	for _, f := range s.screen() {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}

type nameRef struct {
	ID   string `json:"id,omitempty"`
	Key  string `json:"key,omitempty"`
	Name string `json:"name,omitempty"`
}

func (s *Server) create(w http.ResponseWriter, body []byte) {
	var req struct {
		Fields     map[string]json.RawMessage `json:"fields"`
		Properties []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, http.StatusBadRequest, "Could not read the request body: "+err.Error())
		return
	}
	is := &Issue{Fields: req.Fields, Status: "To Do", Created: time.Now().UTC(), hiddenFor: s.opts.SearchLag,
		Properties: map[string]json.RawMessage{}}
	if field, msg := s.applyFields(is, req.Fields, true); msg != "" {
		writeFieldErr(w, http.StatusBadRequest, field, msg)
		return
	}
	for _, p := range req.Properties {
		is.Properties[p.Key] = p.Value
	}
	s.add(is)
	writeJSON(w, http.StatusCreated, map[string]any{"id": is.ID, "key": is.Key, "self": s.baseURL + "/rest/api/2/issue/" + is.ID})
}

// applyFields checks fields as Jira would and sets them on is. It returns
// the offending field and Jira's message on failure.
func (s *Server) applyFields(is *Issue, fields map[string]json.RawMessage, creating bool) (string, string) {
	for id := range fields {
		if _, ok := s.fieldOnScreen(id); !ok {
			return id, fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", id)
		}
	}
	if creating {
		for _, f := range s.screen() {
			if _, ok := fields[f.ID]; f.Required && !f.HasDefault && !ok {
				return f.ID, f.Name + " is required."
			}
		}
	}
	for id, raw := range fields {
		if field, msg := s.applyField(is, id, raw); msg != "" {
			return field, msg
		}
	}
	return "", ""
}

func (s *Server) applyField(is *Issue, id string, raw json.RawMessage) (string, string) {
	var ref nameRef
	switch id {
	case "project":
		if json.Unmarshal(raw, &ref) != nil {
			return id, "valid project is required"
		}
		key, ok := s.project(ref.Key)
		if !ok {
			key, ok = s.project(ref.ID)
		}
		if !ok {
			return id, "valid project is required"
		}
		is.Project = key
	case "issuetype":
		if json.Unmarshal(raw, &ref) != nil {
			return id, "valid issue type is required"
		}
		for _, t := range issueTypes {
			if t.ID == ref.ID || t.Name == ref.Name {
				is.IssueType = t.Name
				return "", ""
			}
		}
		return id, "valid issue type is required"
	case "summary":
		if json.Unmarshal(raw, &is.Summary) != nil || strings.TrimSpace(is.Summary) == "" {
			return id, "You must specify a summary of the issue."
		}
		if strings.ContainsAny(is.Summary, "\r\n") || utf16Len(is.Summary) > 255 {
			return id, "Summary must be less than 255 characters and on one line."
		}
	case "description":
		if json.Unmarshal(raw, &is.Description) != nil {
			return id, "Operation value must be a string"
		}
		if utf16Len(is.Description) > MaxTextField {
			return id, fmt.Sprintf("The entered text is too long. It exceeds the allowed limit of %d characters.", MaxTextField)
		}
	case "priority":
		if json.Unmarshal(raw, &ref) != nil || !slices.Contains(Priorities, ref.Name) {
			return id, "Specify a valid priority name"
		}
		is.Priority = ref.Name
	case "labels":
		var labels []string
		if json.Unmarshal(raw, &labels) != nil {
			return id, "Labels must be a list of strings"
		}
		for _, l := range labels {
			if l == "" || strings.ContainsAny(l, " \t\n") || utf16Len(l) > 255 {
				return id, "The label '" + l + "' contains spaces or is too long"
			}
		}
		is.Labels = labels
	case "components":
		var refs []nameRef
		if json.Unmarshal(raw, &refs) != nil {
			return id, "Components must be a list"
		}
		is.Components = nil
		for _, c := range refs {
			if !slices.Contains(Components, c.Name) {
				return id, "Component name '" + c.Name + "' is not valid"
			}
			is.Components = append(is.Components, c.Name)
		}
	case "assignee":
		var a map[string]any
		if json.Unmarshal(raw, &a) != nil {
			return id, "assignee must be an object"
		}
		for k, v := range a {
			idKey := map[bool]string{false: "accountId", true: "name"}[s.opts.DataCenter]
			if k != idKey {
				return id, fmt.Sprintf("Unexpected property %q in assignee", k)
			}
			acct, _ := v.(string)
			if _, ok := s.account(acct); !ok {
				return id, fmt.Sprintf("User '%s' cannot be assigned issues.", acct)
			}
			is.Assignee = acct
		}
	default:
		f, _ := s.fieldOnScreen(id)
		if len(f.Allowed) > 0 {
			var v struct{ Value string }
			if json.Unmarshal(raw, &v) != nil || !slices.Contains(f.Allowed, v.Value) {
				return id, fmt.Sprintf("Option value '%s' is not valid for %s", v.Value, f.Name)
			}
		}
	}
	if is.Fields == nil {
		is.Fields = map[string]json.RawMessage{}
	}
	is.Fields[id] = raw
	return "", ""
}

// edit applies PUT /issue/{key}: "fields" to set and "update" operations
// on labels and components.
func (s *Server) edit(w http.ResponseWriter, is *Issue, body []byte) {
	var req struct {
		Fields map[string]json.RawMessage              `json:"fields"`
		Update map[string][]map[string]json.RawMessage `json:"update"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, http.StatusBadRequest, "Could not read the request body: "+err.Error())
		return
	}
	next := is.clone()
	if field, msg := s.applyFields(&next, req.Fields, false); msg != "" {
		writeFieldErr(w, http.StatusBadRequest, field, msg)
		return
	}
	for field, ops := range req.Update {
		for _, op := range ops {
			if msg := applyUpdate(&next, field, op); msg != "" {
				writeFieldErr(w, http.StatusBadRequest, field, msg)
				return
			}
		}
	}
	next.hiddenFor = is.hiddenFor
	*is = next
	is.touch(time.Now().UTC())
	w.WriteHeader(http.StatusNoContent)
}

func applyUpdate(is *Issue, field string, op map[string]json.RawMessage) string {
	for verb, raw := range op {
		var val string
		switch field {
		case "labels":
			if json.Unmarshal(raw, &val) != nil || strings.ContainsAny(val, " \t\n") || val == "" {
				return "a label is a string without spaces"
			}
		case "components":
			var ref nameRef
			if json.Unmarshal(raw, &ref) != nil || !slices.Contains(Components, ref.Name) {
				return "Component name is not valid"
			}
			val = ref.Name
		default:
			return "The fake supports update operations on labels and components only"
		}
		list := &is.Labels
		if field == "components" {
			list = &is.Components
		}
		switch verb {
		case "add":
			if !slices.Contains(*list, val) {
				*list = append(*list, val)
			}
		case "remove":
			*list = slices.DeleteFunc(*list, func(x string) bool { return x == val })
		default:
			return "unsupported operation " + verb
		}
	}
	return ""
}

// bean is the issue as GET /issue and the searches return it.
func (s *Server) bean(is *Issue, fieldList string) map[string]any {
	all := map[string]any{
		"summary":     is.Summary,
		"description": is.Description,
		"status": map[string]any{"name": is.Status, "id": fmt.Sprint(len(is.Status)),
			"statusCategory": map[string]any{"key": is.statusCategory(), "name": is.statusCategory()}},
		"labels":     nonNil(is.Labels),
		"issuetype":  map[string]any{"name": is.IssueType},
		"project":    map[string]any{"key": is.Project},
		"created":    is.Created.Format("2006-01-02T15:04:05.000-0700"),
		"updated":    is.updated().Format("2006-01-02T15:04:05.000-0700"),
		"components": names(is.Components),
		"attachment": attachmentsJSON(is.Attachments),
		// Jira sends "assignee": null for nobody; the document's untyped
		// field schema is not nullable (OpenAPI 3.0), so the fake leaves
		// empty fields out instead, which clients must read the same way.
	}
	if is.Priority != "" {
		all["priority"] = map[string]any{"name": is.Priority}
	}
	if is.Assignee != "" {
		a := map[string]any{"accountId": is.Assignee}
		if s.opts.DataCenter {
			a = map[string]any{"name": is.Assignee}
		}
		if u, ok := s.account(is.Assignee); ok && u.Display != "" {
			a["displayName"] = u.Display
		}
		all["assignee"] = a
	}
	fields := all
	if fieldList != "" && fieldList != "*all" {
		fields = map[string]any{}
		for _, f := range strings.Split(fieldList, ",") {
			if v, ok := all[strings.TrimSpace(f)]; ok {
				fields[strings.TrimSpace(f)] = v
			}
		}
	}
	return map[string]any{"id": is.ID, "key": is.Key, "self": s.baseURL + "/rest/api/2/issue/" + is.ID, "fields": fields}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func names(list []string) []map[string]string {
	out := []map[string]string{}
	for _, n := range list {
		out = append(out, map[string]string{"name": n})
	}
	return out
}

func attachmentsJSON(as []Attachment) []map[string]any {
	out := []map[string]any{}
	for _, a := range as {
		out = append(out, map[string]any{"id": a.ID, "filename": a.Filename, "size": a.Size})
	}
	return out
}

type transitionDef struct{ id, name, to string }

var workflow = map[string][]transitionDef{
	"To Do":       {{"11", "Start Progress", "In Progress"}, {"31", "Done", "Done"}},
	"In Progress": {{"21", "Stop Progress", "To Do"}, {"31", "Done", "Done"}},
	"Done":        {{"41", "Reopen", "To Do"}},
}

func transitionsFrom(status string) []map[string]any {
	out := []map[string]any{}
	for _, t := range workflow[status] {
		out = append(out, map[string]any{"id": t.id, "name": t.name, "to": map[string]any{"name": t.to, "id": fmt.Sprint(len(t.to))}})
	}
	return out
}

func (s *Server) transition(w http.ResponseWriter, is *Issue, body []byte) {
	var req struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeErr(w, http.StatusBadRequest, "Could not read the request body: "+err.Error())
		return
	}
	for _, t := range workflow[is.Status] {
		if t.id == req.Transition.ID {
			is.Status = t.to
			is.touch(time.Now().UTC())
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeFieldErr(w, http.StatusBadRequest, "transition", "Transition id '"+req.Transition.ID+"' is not valid for this issue.")
}

func (s *Server) attach(w http.ResponseWriter, r *http.Request, is *Issue) {
	if r.Header.Get("X-Atlassian-Token") != "no-check" {
		writeErr(w, http.StatusForbidden, "XSRF check failed")
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeErr(w, http.StatusBadRequest, "Expected a multipart/form-data body: "+err.Error())
		return
	}
	var added []Attachment
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeErr(w, http.StatusBadRequest, "Bad multipart body: "+err.Error())
			return
		}
		if part.FormName() != "file" {
			writeErr(w, http.StatusBadRequest, "Attachments must be sent in parts named 'file', got '"+part.FormName()+"'")
			return
		}
		data, _ := io.ReadAll(io.LimitReader(part, s.opts.UploadLimit+1))
		if int64(len(data)) > s.opts.UploadLimit {
			writeErr(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file %s is larger than the upload limit of %d bytes.", part.FileName(), s.opts.UploadLimit))
			return
		}
		added = append(added, Attachment{ID: fmt.Sprint(30000 + len(is.Attachments) + len(added)), Filename: part.FileName(), Size: len(data), Data: data})
		if len(added) > MaxAttachmentsPerRequest {
			writeErr(w, http.StatusBadRequest, fmt.Sprintf("At most %d files may be attached in one request.", MaxAttachmentsPerRequest))
			return
		}
	}
	if len(added) == 0 {
		writeErr(w, http.StatusBadRequest, "No file was attached.")
		return
	}
	is.Attachments = append(is.Attachments, added...)
	is.touch(time.Now().UTC())
	out := []map[string]any{}
	for _, a := range added {
		out = append(out, map[string]any{"id": a.ID, "filename": a.Filename, "size": a.Size, "mimeType": "application/octet-stream",
			"self": s.baseURL + "/rest/api/2/attachment/" + a.ID})
	}
	writeJSON(w, http.StatusOK, out)
}
