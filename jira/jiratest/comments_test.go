package jiratest

import (
	"encoding/json"
	"fmt"
	"testing"
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
