package jiratest

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
)

// Issue is an issue the fake holds, as setbot filed and changed it.
type Issue struct {
	ID          string                     `json:"id"`
	Key         string                     `json:"key"`
	Project     string                     `json:"project"`
	IssueType   string                     `json:"issueType"`
	Summary     string                     `json:"summary"`
	Description string                     `json:"description"`
	Priority    string                     `json:"priority,omitempty"`
	Labels      []string                   `json:"labels"`
	Components  []string                   `json:"components"`
	Status      string                     `json:"status"`
	Assignee    string                     `json:"assignee,omitempty"` // accountId (Cloud) or name (Data Center)
	Fields      map[string]json.RawMessage `json:"fields"`             // every field as sent at creation
	Properties  map[string]json.RawMessage `json:"properties"`
	Attachments []Attachment               `json:"attachments"`
	Comments    []Comment                  `json:"comments"`
	Created     time.Time                  `json:"created"`
	// Updated is when the issue last changed; zero: Created.
	Updated time.Time `json:"updated"`
	// FixVersions are the versions the issue is to be fixed in.
	FixVersions []string `json:"fixVersions"`
	// Rank is the issue's place on the board, lowest first; zero when
	// added: after every other issue.
	Rank int `json:"rank"`
	// hiddenFor is how many more searches miss this issue: the index lags
	// behind creation on Jira Cloud.
	hiddenFor int
}

// Attachment is an uploaded file.
type Attachment struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
	Size     int    `json:"size"`
	Data     []byte `json:"-"`
}

// Comment is a comment on an issue.
type Comment struct {
	ID         string                     `json:"id"`
	Body       string                     `json:"body"`
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
	// Author is the accountId (Cloud) or username (Data Center) of who
	// wrote it: the caller's own account (SelfAccount) for comments made
	// through the API, anyone for AddComment.
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// doneStatuses are the statuses in the Done category.
var doneStatuses = map[string]bool{"done": true, "closed": true, "resolved": true}

func (is *Issue) statusCategory() string {
	switch {
	case doneStatuses[strings.ToLower(is.Status)]:
		return "done"
	case strings.EqualFold(is.Status, "To Do"):
		return "new"
	}
	return "indeterminate"
}

// touch records a change made at at: Jira moves an issue's updated on
// every edit, assignment, transition, comment and attachment.
func (is *Issue) touch(at time.Time) {
	if at.After(is.updated()) {
		is.Updated = at
	}
}

// updated is when the issue last changed.
func (is *Issue) updated() time.Time {
	if is.Updated.IsZero() {
		return is.Created
	}
	return is.Updated
}

func (is *Issue) clone() Issue {
	c := *is
	c.Labels = append([]string(nil), is.Labels...)
	c.Components = append([]string(nil), is.Components...)
	c.FixVersions = append([]string(nil), is.FixVersions...)
	c.Attachments = append([]Attachment(nil), is.Attachments...)
	c.Comments = append([]Comment(nil), is.Comments...)
	c.Fields = map[string]json.RawMessage{}
	for k, v := range is.Fields {
		c.Fields[k] = v
	}
	c.Properties = map[string]json.RawMessage{}
	for k, v := range is.Properties {
		c.Properties[k] = v
	}
	return c
}

// matches evaluates one JQL clause against the issue.
func (is *Issue) matches(field, op, v string) bool {
	var hit bool
	switch field {
	case "project":
		hit = strings.EqualFold(is.Project, v)
	case "key", "issuekey", "id":
		hit = strings.EqualFold(is.Key, v) || is.ID == v
	case "labels":
		for _, l := range is.Labels {
			hit = hit || l == v
		}
	case "component":
		for _, c := range is.Components {
			hit = hit || strings.EqualFold(c, v)
		}
	case "status":
		hit = strings.EqualFold(is.Status, v)
	case "statuscategory":
		hit = strings.EqualFold(is.statusCategory(), v) || (strings.EqualFold(v, "to do") && is.statusCategory() == "new") ||
			(strings.EqualFold(v, "in progress") && is.statusCategory() == "indeterminate")
	case "summary":
		hit = textMatch(is.Summary, v)
	case "description":
		hit = textMatch(is.Description, v)
	case "text":
		all := is.Summary + " " + is.Description
		for _, c := range is.Comments {
			all += " " + c.Body
		}
		hit = textMatch(all, v)
	case "assignee":
		hit = is.Assignee == v || (strings.EqualFold(v, "empty") && is.Assignee == "")
	case "fixversion":
		for _, fv := range is.FixVersions {
			hit = hit || fv == v
		}
	case "created", "updated":
		return true // setbot bounds by project; dates are not modelled
	default:
		return false
	}
	switch op {
	case "!=", "!~":
		return !hit
	}
	return hit
}

// textMatch is Jira's text search, roughly: every word of the query occurs
// as a word of the text, ignoring case.
func textMatch(text, query string) bool {
	have := map[string]bool{}
	for _, w := range words(text) {
		have[w] = true
	}
	q := words(query)
	for _, w := range q {
		if !have[w] {
			return false
		}
	}
	return len(q) > 0
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
