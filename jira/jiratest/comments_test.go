package jiratest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestFakeCommentsPageWithProperties(t *testing.T) {
	s := New(t, Options{CommentPage: 2})
	requireContract(t, s)
	key := s.AddIssue(Issue{Summary: "x"})
	c := rawClient{t, s}
	for i := range 5 {
		body := map[string]any{"body": fmt.Sprint("comment ", i)}
		if i == 3 {
			body["properties"] = []map[string]any{{"key": "setbot.ref", "value": map[string]any{"version": 1, "ref": "r3"}}}
		}
		if st, _, b := c.do("POST", "/rest/api/2/issue/"+key+"/comment", body); st != 201 {
			t.Fatalf("comment %d: %d %s", i, st, b)
		}
	}
	type page struct {
		Comments []struct {
			ID         string            `json:"id"`
			Body       string            `json:"body"`
			Properties []json.RawMessage `json:"properties"`
		} `json:"comments"`
		StartAt, MaxResults, Total int
	}
	var seen []string
	var props int
	for startAt := 0; startAt < 5; {
		st, _, b := c.do("GET", fmt.Sprintf("/rest/api/2/issue/%s/comment?startAt=%d&maxResults=100&expand=properties", key, startAt), nil)
		var p page
		if st != 200 || json.Unmarshal(b, &p) != nil {
			t.Fatalf("list at %d: %d %s", startAt, st, b)
		}
		if len(p.Comments) > 2 || p.MaxResults != 2 || p.Total != 5 || p.StartAt != startAt {
			t.Fatalf("page at %d: %+v (the fake must cap pages at CommentPage)", startAt, p)
		}
		for _, cm := range p.Comments {
			seen = append(seen, cm.Body)
			props += len(cm.Properties)
		}
		startAt += len(p.Comments)
	}
	if fmt.Sprint(seen) != "[comment 0 comment 1 comment 2 comment 3 comment 4]" || props != 1 {
		t.Fatalf("seen %v with %d properties", seen, props)
	}
	// Without expand, no properties.
	_, _, b := c.do("GET", "/rest/api/2/issue/"+key+"/comment?startAt=3&maxResults=1", nil)
	var p page
	json.Unmarshal(b, &p)
	if len(p.Comments) != 1 || p.Comments[0].Properties != nil {
		t.Fatalf("unexpanded: %s", b)
	}
	if got := s.Issues()[0].Comments[3].Properties["setbot.ref"]; string(got) != `{"ref":"r3","version":1}` {
		t.Fatalf("stored property %s", got)
	}
	// Properties are checked as Jira checks them.
	bad := map[string]any{"body": "x", "properties": []map[string]any{{"key": "", "value": 1}}}
	if st, _, _ := c.do("POST", "/rest/api/2/issue/"+key+"/comment", bad); st != 400 {
		t.Fatalf("empty property key: %d", st)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("violations: %v", v)
	}
}

// TestFakeCommentAuthorsAndOrder: comments made through the API are the
// caller's (GET /myself's account), AddCommentAt writes as anyone at any
// time, and orderBy=-created lists newest first, within the contract on
// both deployments.
func TestFakeCommentAuthorsAndOrder(t *testing.T) {
	for _, dc := range []bool{false, true} {
		s := New(t, Options{DataCenter: dc, Users: []User{{AccountID: "acc-bob", Name: "bob", Display: "Bob"}}})
		requireContract(t, s)
		key := s.AddIssue(Issue{Summary: "x"})
		bob, self, idField := "acc-bob", SelfAccountID, "accountId"
		if dc {
			bob, self, idField = "bob", SelfName, "name"
		}
		s.AddCommentAt(key, bob, "later", time.Now().Add(time.Hour))
		s.AddCommentAt(key, bob, "earlier", time.Now().Add(-time.Hour))
		c := rawClient{t, s}
		var auth []string
		if dc {
			auth = []string{"Authorization", "Bearer " + s.Token()}
		}
		if st, _, b := c.do("POST", "/rest/api/2/issue/"+key+"/comment", map[string]any{"body": "mine"}, auth...); st != 201 {
			t.Fatalf("comment: %d %s", st, b)
		}
		_, _, b := c.do("GET", "/rest/api/2/issue/"+key+"/comment?orderBy=-created", nil, auth...)
		var p struct {
			Comments []struct {
				Body    string         `json:"body"`
				Author  map[string]any `json:"author"`
				Created string         `json:"created"`
			} `json:"comments"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, cm := range p.Comments {
			got = append(got, fmt.Sprintf("%s by %v", cm.Body, cm.Author[idField]))
		}
		if want := fmt.Sprintf("[later by %s mine by %s earlier by %s]", bob, self, bob); fmt.Sprint(got) != want {
			t.Errorf("datacenter=%v: newest first %v, want %s", dc, got, want)
		}
		if v := s.Violations(); len(v) != 0 {
			t.Fatalf("violations: %v", v)
		}
	}
}

// TestFakeUpdatedMovesOnEveryChange: like Jira, the issue's updated moves
// on an edit, an assignment (and unassignment), a transition, a comment
// (the API's or a person's) and an attachment; reads leave it alone.
func TestFakeUpdatedMovesOnEveryChange(t *testing.T) {
	s := New(t, Options{Users: []User{{AccountID: "acc-bob", Display: "Bob"}}})
	requireContract(t, s)
	long := time.Now().UTC().Add(-24 * time.Hour)
	key := s.AddIssue(Issue{Summary: "x", Created: long})
	c := rawClient{t, s}
	updated := func() time.Time { return s.Issues()[0].updated() }
	changes := []struct {
		name, method, path string
		body               any
	}{
		{"edit", "PUT", "/rest/api/2/issue/" + key, map[string]any{"fields": map[string]any{"summary": "y"}}},
		{"assign", "PUT", "/rest/api/2/issue/" + key + "/assignee", map[string]any{"accountId": "acc-bob"}},
		{"unassign", "PUT", "/rest/api/2/issue/" + key + "/assignee", map[string]any{"accountId": nil}},
		{"transition", "POST", "/rest/api/2/issue/" + key + "/transitions", map[string]any{"transition": map[string]any{"id": "11"}}},
		{"comment", "POST", "/rest/api/2/issue/" + key + "/comment", map[string]any{"body": "hi"}},
	}
	for _, ch := range changes {
		before := updated()
		if _, _, b := c.do("GET", "/rest/api/2/issue/"+key, nil); !updated().Equal(before) {
			t.Fatalf("a read moved updated: %s", b)
		}
		s.mu.Lock()
		s.issues[0].Updated = long // so that any move shows
		s.mu.Unlock()
		if st, _, b := c.do(ch.method, ch.path, ch.body); st >= 300 {
			t.Fatalf("%s: %d %s", ch.name, st, b)
		}
		if !updated().After(long) {
			t.Errorf("%s left updated at %v", ch.name, updated())
		}
	}
	s.mu.Lock()
	s.issues[0].Updated = long
	s.mu.Unlock()
	person := long.Add(time.Hour)
	s.AddCommentAt(key, "acc-bob", "from the web page", person)
	if !updated().Equal(person) {
		t.Errorf("a person's comment: updated %v, want %v", updated(), person)
	}
	s.AddCommentAt(key, "acc-bob", "backdated", long.Add(-time.Hour))
	if !updated().Equal(person) {
		t.Errorf("an older comment moved updated back to %v", updated())
	}
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("violations: %v", v)
	}
}

// TestFakeCommentIDsAndRoutes: comment ids are unique across issues, as in
// Jira, and POST to a comment's own path is no way to make a comment.
func TestFakeCommentIDsAndRoutes(t *testing.T) {
	s := New(t, Options{NoContract: true})
	a, b := s.AddIssue(Issue{Summary: "a"}), s.AddIssue(Issue{Summary: "b"})
	if s.AddComment(a, "acc-bob", "one") == s.AddComment(b, "acc-bob", "two") {
		t.Error("two issues' first comments share an id")
	}
	c := rawClient{t, s}
	if st, _, body := c.do("POST", "/rest/api/2/issue/"+a+"/comment/20001", map[string]any{"body": "x"}); st != 404 {
		t.Errorf("POST …/comment/{id}: %d %s, want 404", st, body)
	}
	if n := len(s.Issues()[0].Comments); n != 1 {
		t.Errorf("issue a has %d comments, want 1", n)
	}
}
