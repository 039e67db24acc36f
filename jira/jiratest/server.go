// Package jiratest is a fake Jira for tests and demos: an HTTP server that
// implements the endpoints setbot uses on Jira Cloud's REST API v2, answers
// 410 on the removed ones, injects 429s, 503s and hangs on request, and
// checks every request and response against Atlassian's OpenAPI document.
package jiratest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// RemovedSearchMessage is Jira Cloud's answer to the removed /search
// endpoints (Atlassian CHANGE-2046).
const RemovedSearchMessage = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"

// RemovedCreateMetaMessage answers the removed createmeta form.
const RemovedCreateMetaMessage = "The requested API has been removed. Please use GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes and /issuetypes/{issueTypeId}."

// Jira Cloud's limits the fake enforces.
const (
	// MaxAttachmentsPerRequest is the most files one upload takes.
	MaxAttachmentsPerRequest = 60
	// MaxPropertyValue is the most characters an issue property's value holds.
	MaxPropertyValue = 32768
	// MaxPropertyKey is the longest issue property key.
	MaxPropertyKey = 255
	// MaxCreateMetaResults is the largest page the createmeta endpoints serve.
	MaxCreateMetaResults = 200
	// defaultCommentPage is the document's default maxResults for
	// GET /issue/{key}/comment.
	defaultCommentPage = 100
	// MaxTextField is the most characters description, comment and other
	// text fields hold.
	MaxTextField = 32767
)

// User is a Jira account the fake knows.
type User struct {
	AccountID string // Cloud
	Name      string // Data Center username
	Email     string
	Display   string
}

// Field is a field on the project's create screen.
type Field struct {
	ID       string
	Name     string
	Required bool
	// HasDefault fields are filled by Jira when the request leaves them out.
	HasDefault bool
	Allowed    []string // allowed option names, if any
}

// Options configure a fake.
type Options struct {
	Project string // key; default "SET"
	// MoreProjects are further project keys issues can be filed in (a
	// product team's, where feature requests are routed).
	MoreProjects []string
	Email        string // Cloud: the Basic user; default "bot@example.com"
	Token        string // the API token or PAT; default "fake-token"
	DataCenter   bool   // Bearer auth; old /search paging instead of /search/jql
	Users        []User
	// ExtraFields are added to every issue type's create screen; a required
	// one without a default is what Client.Check must report.
	ExtraFields []Field
	UploadLimit int64 // bytes; default 10 MiB
	// SearchLag hides each new issue from this many searches, like Jira
	// Cloud's eventually consistent index.
	SearchLag int
	// CommentPage is the most comments one page of GET …/comment holds,
	// whatever maxResults asks; default 100, the document's default.
	CommentPage int
	// ReleasedVersions are the project's released versions: an issue's
	// other fix versions are unreleased (unreleasedVersions() in JQL).
	ReleasedVersions []string
	// SpecPath is the OpenAPI document; "" finds it with SpecPath().
	SpecPath string
	// NoContract turns the contract check off.
	NoContract bool
}

// Fault changes the fake's answer to the next request that matches.
type Fault struct {
	Method string // "" matches any
	Path   string // exact path such as "/rest/api/2/issue"; "" matches any
	Status int    // the status to answer (after handling, when AfterHandling)
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Hang holds the request until the client gives up (or the fake closes).
	Hang bool
	// AfterHandling lets the request take effect first, then answers
	// Status or hangs: the client cannot know that it worked.
	AfterHandling bool
	// Sticky faults answer every matching request until ClearFaults,
	// instead of only the next one.
	Sticky bool
}

// Request is a request the fake received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header // includes Authorization: never print it
	Body   []byte
	Status int
}

// Server is the fake. Safe for concurrent use.
type Server struct {
	opts     Options
	contract *Contract
	closing  chan struct{}
	baseURL  string

	mu         sync.Mutex
	issues     []*Issue
	nextID     int
	commentSeq int // comments made, for their ids
	faults     []Fault
	requests   []Request
	violations []string
}

// NewServer returns a fake without a listener; serve Handler on one.
// contractNote says why the contract check is off, when it is.
func NewServer(o Options) (s *Server, contractNote string) {
	if o.Project == "" {
		o.Project = "SET"
	}
	if o.Email == "" {
		o.Email = "bot@example.com"
	}
	if o.Token == "" {
		o.Token = "fake-token"
	}
	if o.UploadLimit == 0 {
		o.UploadLimit = 10 << 20
	}
	if o.CommentPage <= 0 {
		o.CommentPage = defaultCommentPage
	}
	s = &Server{opts: o, closing: make(chan struct{}), nextID: 10000}
	switch {
	case o.NoContract:
		contractNote = "contract check turned off"
	default:
		path := o.SpecPath
		if path == "" {
			path = SpecPath()
		}
		if path == "" {
			contractNote = "OpenAPI contract check skipped: ../shared/jira/" + SpecFile + " not found beside the module root (set SETBOT_JIRA_OPENAPI to its path)"
			break
		}
		c, err := LoadContract(path)
		if err != nil {
			contractNote = "OpenAPI contract check skipped: " + err.Error()
			break
		}
		s.contract = c
	}
	return s, contractNote
}

// New starts a fake for a test. Contract violations fail the test at its
// end; when the OpenAPI document is absent the check is skipped with a
// logged message and the rest of the test runs.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s, note := NewServer(o)
	if note != "" {
		t.Log(note)
	}
	srv := httptest.NewServer(s)
	s.baseURL = srv.URL
	t.Cleanup(func() {
		s.Close()
		srv.Close()
		for _, v := range s.Violations() {
			t.Errorf("jira contract violation: %s", v)
		}
	})
	return s
}

// URL is the fake's base URL (tests started with New).
func (s *Server) URL() string { return s.baseURL }

// SetURL records the base URL the fake is served at, for self links.
func (s *Server) SetURL(u string) { s.baseURL = u }

// Contracted reports whether exchanges are checked against the document.
func (s *Server) Contracted() bool { return s.contract != nil }

// Email and Token are the credentials the fake accepts.
func (s *Server) Email() string { return s.opts.Email }

// Token is the accepted token.
func (s *Server) Token() string { return s.opts.Token }

// Close releases hanging requests.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
}

// Inject queues faults; each is used once, by the first request it matches.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// ClearFaults drops every fault not yet taken, sticky ones included.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Violations returns the contract violations seen so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Issues returns copies of the issues filed so far, oldest first.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, is := range s.issues {
		out = append(out, is.clone())
	}
	return out
}

// rankStep spaces the ranks of new issues, so a test can rank one
// between two others.
const rankStep = 100

// SetRank moves an issue on the board, as a person dragging it would:
// lower ranks come first.
func (s *Server) SetRank(key string, rank int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.issue(key); is != nil {
		is.Rank = rank
	}
}

// SetStatus moves an issue, as a person in Jira would.
func (s *Server) SetStatus(key, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.issue(key); is != nil {
		is.Status = status
	}
}

// project is the key of the project ref names (a key, or an id: 10000 for
// the main project, 10001… for MoreProjects), or ok=false.
func (s *Server) project(ref string) (key string, ok bool) {
	if ref == s.opts.Project || ref == "10000" {
		return s.opts.Project, true
	}
	for i, p := range s.opts.MoreProjects {
		if ref == p || ref == fmt.Sprint(10001+i) {
			return p, true
		}
	}
	return "", false
}

// AddIssue files an issue directly, as a person in Jira would.
func (s *Server) AddIssue(is Issue) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.Project == "" {
		is.Project = s.opts.Project
	}
	if is.Status == "" {
		is.Status = "To Do"
	}
	if is.Created.IsZero() {
		is.Created = time.Now().UTC()
	}
	s.add(&is)
	return is.Key
}

func (s *Server) add(is *Issue) {
	s.nextID++
	is.ID = fmt.Sprint(s.nextID)
	if is.Project == "" {
		is.Project = s.opts.Project
	}
	is.Key = fmt.Sprintf("%s-%d", is.Project, len(s.issues)+1)
	if is.Rank == 0 {
		is.Rank = (len(s.issues) + 1) * rankStep
	}
	if is.Fields == nil {
		is.Fields = map[string]json.RawMessage{}
	}
	if is.Properties == nil {
		is.Properties = map[string]json.RawMessage{}
	}
	s.issues = append(s.issues, is)
}

func (s *Server) issue(keyOrID string) *Issue {
	for _, is := range s.issues {
		if strings.EqualFold(is.Key, keyOrID) || is.ID == keyOrID {
			return is
		}
	}
	return nil
}

// ServeHTTP records the exchange, applies faults, checks the contract and
// answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	fault, faulted := s.takeFault(r)

	rec := httptest.NewRecorder()
	if !faulted || fault.AfterHandling {
		s.route(rec, r, body)
		s.check(r, body, rec)
	}
	if faulted {
		rec = httptest.NewRecorder()
		s.fail(rec, fault)
	}
	if faulted && fault.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		s.record(r, body, 0)
		return
	}
	res := rec.Result()
	reply := rec.Body.Bytes()
	s.record(r, body, res.StatusCode)
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	w.Write(reply)
}

// check records the contract violations of one handled exchange.
func (s *Server) check(r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	if s.contract == nil {
		return
	}
	res := rec.Result()
	v := s.contract.Check(Exchange{Request: r, Body: body, Status: res.StatusCode, Header: res.Header, Reply: rec.Body.Bytes()})
	if len(v) > 0 {
		s.mu.Lock()
		s.violations = append(s.violations, v...)
		s.mu.Unlock()
	}
}

func (s *Server) record(r *http.Request, body []byte, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Status: status})
}

func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.Path) {
			if !f.Sticky {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

func (s *Server) fail(w http.ResponseWriter, f Fault) {
	if f.Hang {
		return
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("RateLimit-Reason", "jira-burst-based")
		w.Header().Set("X-RateLimit-Reset", time.Now().UTC().Add(time.Second).Format(time.RFC3339))
	}
	writeErr(w, f.Status, fmt.Sprintf("fake fault: %d", f.Status))
}

// authorized checks the credentials for the deployment.
func (s *Server) authorized(r *http.Request) bool {
	got := r.Header.Get("Authorization")
	if s.opts.DataCenter {
		return got == "Bearer "+s.opts.Token
	}
	return got == "Basic "+base64.StdEncoding.EncodeToString([]byte(s.opts.Email+":"+s.opts.Token))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

func writeErr(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string]any{"errorMessages": msgs, "errors": map[string]string{}})
}

func writeFieldErr(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{}, "errors": map[string]string{field: msg}})
}
