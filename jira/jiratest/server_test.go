package jiratest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

type rawClient struct {
	t *testing.T
	s *Server
}

func (c rawClient) do(method, path string, body any, hdr ...string) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case *bytes.Buffer:
		rd = b
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.s.URL()+path, rd)
	req.Header.Set("Content-Type", ctype)
	req.SetBasicAuth(c.s.Email(), c.s.Token())
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

func requireContract(t *testing.T, s *Server) {
	if !s.Contracted() {
		t.Log("the OpenAPI document is absent: checking the fake's behaviour without its contract")
	}
}

func TestFakeAnswersWithinContract(t *testing.T) {
	s := New(t, Options{Users: []User{{AccountID: "acc-1", Email: "a+b@example.com", Display: "Alice"}}})
	requireContract(t, s)
	c := rawClient{t, s}
	st, _, body := c.do("POST", "/rest/api/2/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "SET"}, "issuetype": map[string]string{"name": "Bug"},
		"summary": "Server crashes", "description": "h2. Summary\n{noformat}x{noformat}",
		"labels": []string{"setbot-1", "sustained-engineering"}, "priority": map[string]string{"name": "High"},
		"components": []map[string]string{{"name": "Sustained Engineering"}},
	}, "properties": []map[string]any{{"key": "setbot.intake", "value": map[string]string{"id": "1"}}}})
	if st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	for _, x := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"GET", "/rest/api/2/issue/SET-1?fields=summary,status,labels", nil, 200},
		{"POST", "/rest/api/2/search/jql", map[string]any{"jql": `project = "SET" AND labels = "setbot-1"`, "fields": []string{"summary", "status"}, "maxResults": 10}, 200},
		{"GET", "/rest/api/2/issue/createmeta/SET/issuetypes?maxResults=200", nil, 200},
		{"GET", "/rest/api/2/issue/createmeta/SET/issuetypes/10001?maxResults=200", nil, 200},
		{"GET", "/rest/api/2/attachment/meta", nil, 200},
		{"GET", "/rest/api/2/myself", nil, 200},
		{"GET", "/rest/api/2/user/search?query=a%2Bb%40example.com", nil, 200},
		{"PUT", "/rest/api/2/issue/SET-1/assignee", map[string]any{"accountId": "acc-1"}, 204},
		{"PUT", "/rest/api/2/issue/SET-1/assignee", map[string]any{"accountId": nil}, 204},
		{"GET", "/rest/api/2/issue/SET-1/transitions", nil, 200},
		{"POST", "/rest/api/2/issue/SET-1/transitions", map[string]any{"transition": map[string]string{"id": "11"}}, 204},
		{"POST", "/rest/api/2/issue/SET-1/comment", map[string]any{"body": "handed over"}, 201},
		{"PUT", "/rest/api/2/issue/SET-1/properties/setbot.intake", map[string]any{"id": "1", "v": 1}, 200},
		{"PUT", "/rest/api/2/issue/SET-1", map[string]any{"fields": map[string]any{"priority": map[string]string{"name": "Highest"}},
			"update": map[string]any{"labels": []map[string]string{{"remove": "priority-L2"}, {"add": "priority-L1"}}}}, 204},
		{"GET", "/rest/api/2/search?jql=project%3DSET", nil, 410},
		{"POST", "/rest/api/2/search", map[string]any{"jql": "project = SET"}, 410},
		{"GET", "/rest/api/2/issue/createmeta?projectKeys=SET&expand=projects.issuetypes.fields", nil, 410},
		{"POST", "/rest/api/2/search/jql", map[string]any{"jql": `labels = "x"`}, 400},
		{"GET", "/rest/api/2/issue/SET-99", nil, 404},
	} {
		st, _, body := c.do(x.method, x.path, x.body)
		if st != x.want {
			t.Errorf("%s %s = %d %s, want %d", x.method, x.path, st, body, x.want)
		}
	}
	// Upload with the documented header.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "config.json")
	fw.Write([]byte(`{"redacted":true}`))
	mw.Close()
	st, _, body = c.do("POST", "/rest/api/2/issue/SET-1/attachments", &buf, "X-Atlassian-Token", "no-check", "Content-Type", mw.FormDataContentType())
	if st != 200 {
		t.Fatalf("attach: %d %s", st, body)
	}
	is := s.Issues()[0]
	if is.Status != "In Progress" || is.Priority != "Highest" || len(is.Attachments) != 1 || len(is.Comments) != 1 ||
		strings.Join(is.Labels, ",") != "setbot-1,sustained-engineering,priority-L1" || is.Assignee != "" {
		t.Fatalf("issue state: %+v", is)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestFakeRemovedSearchBody(t *testing.T) {
	s := New(t, Options{})
	_, _, body := rawClient{t, s}.do("POST", "/rest/api/3/search", map[string]any{"jql": "project = SET"})
	var got struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(body, &got); err != nil || len(got.ErrorMessages) != 1 ||
		!strings.HasPrefix(got.ErrorMessages[0], "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.") || got.Errors == nil {
		t.Fatalf("410 body = %s", body)
	}
}

func TestFakeCatchesViolations(t *testing.T) {
	s, note := NewServer(Options{})
	if note != "" {
		t.Skip(note)
	}
	// A request with a field of the wrong type, checked directly.
	req, _ := http.NewRequest("POST", "http://127.0.0.1/rest/api/2/search/jql", nil)
	req.Header.Set("Content-Type", "application/json")
	v := s.contract.Check(Exchange{Request: req, Body: []byte(`{"jql": 5}`), Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Reply: []byte(`{"issues": [], "isLast": true}`)})
	if len(v) != 1 || !strings.Contains(v[0], "request POST") {
		t.Fatalf("bad request not caught: %v", v)
	}
	v = s.contract.Check(Exchange{Request: req, Body: []byte(`{"jql": "project = SET"}`), Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Reply: []byte(`{"issues": [], "total": 3}`)})
	if len(v) != 1 || !strings.Contains(v[0], "response 200") {
		t.Fatalf("bad response not caught: %v", v)
	}
	req, _ = http.NewRequest("GET", "http://127.0.0.1/rest/api/2/no/such/thing", nil)
	if v := s.contract.Check(Exchange{Request: req, Status: 200}); len(v) != 1 {
		t.Fatalf("unknown operation not caught: %v", v)
	}
}

func TestFakeFaults(t *testing.T) {
	s := New(t, Options{})
	c := rawClient{t, s}
	s.Inject(Fault{Method: "GET", Path: "/rest/api/2/myself", Status: 429, RetryAfter: "1"},
		Fault{Path: "/rest/api/2/myself", Status: 503})
	st, h, _ := c.do("GET", "/rest/api/2/myself", nil)
	if st != 429 || h.Get("Retry-After") != "1" {
		t.Fatalf("first: %d %v", st, h)
	}
	if st, _, _ := c.do("GET", "/rest/api/2/myself", nil); st != 503 {
		t.Fatalf("second: %d", st)
	}
	if st, _, _ := c.do("GET", "/rest/api/2/myself", nil); st != 200 {
		t.Fatalf("third: %d", st)
	}
	// A hang holds the request until the client gives up.
	s.Inject(Fault{Path: "/rest/api/2/myself", Hang: true})
	hc := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("GET", s.URL()+"/rest/api/2/myself", nil)
	if _, err := hc.Do(req); err == nil {
		t.Fatal("hang answered")
	}
	// A sticky fault answers every request until cleared.
	s.Inject(Fault{Path: "/rest/api/2/myself", Status: 401, Sticky: true})
	for i := range 3 {
		if st, _, _ := c.do("GET", "/rest/api/2/myself", nil); st != 401 {
			t.Fatalf("sticky, request %d: %d", i+1, st)
		}
	}
	s.ClearFaults()
	if st, _, _ := c.do("GET", "/rest/api/2/myself", nil); st != 200 {
		t.Fatalf("after ClearFaults: %d", st)
	}
	// Wrong credentials are refused.
	req, _ = http.NewRequest("GET", s.URL()+"/rest/api/2/myself", nil)
	req.SetBasicAuth(s.Email(), "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("wrong token: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestParseJQL(t *testing.T) {
	is := &Issue{Key: "SET-1", Project: "SET", Summary: `Crash "quoted" in a\b`, Labels: []string{"setbot-x", "L2"}, Status: "In Progress",
		FixVersions: []string{"10.1", "10.2"}}
	for q, want := range map[string]bool{
		`project = "SET" AND labels = "setbot-x"`:                         true,
		`project = SET AND labels = "setbot-y"`:                           false,
		`project = "SET" AND statusCategory != Done`:                      true,
		`project = "SET" AND (summary ~ "crash" OR labels = "nope")`:      true,
		`project = "SET" AND summary ~ "\"quoted\""`:                      true,
		`project = "SET" AND labels in ("a", "L2") ORDER BY created DESC`: true,
		`project = "SET" AND labels not in ("a", "L2")`:                   false,
		`project = "SET" AND NOT status = "In Progress"`:                  false,
		`project = "SET" AND statusCategory = "In Progress"`:              true,
		`project = "SET" AND statusCategory = "To Do"`:                    false,
		`fixVersion in unreleasedVersions()`:                              true, // 10.2
		`fixVersion not in unreleasedVersions()`:                          false,
		`fixVersion in releasedVersions()`:                                true, // 10.1
		`fixVersion = "10.3"`:                                             false,
		`fixVersion = "10.2" ORDER BY Rank ASC`:                           true,
	} {
		q0, err := parseJQL(q, map[string]bool{"10.1": true})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := q0.pred(is); got != want {
			t.Errorf("%s = %v, want %v", q, got, want)
		}
	}
	for _, bad := range []string{`project = "SET`, `summary ~ hello world`, `labels = "a" AND`, `summary ~ a.b"c"`, `fixVersion in someVersions()`} {
		if _, err := parseJQL(bad, nil); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
