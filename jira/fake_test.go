package jira_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

const token = "s3cr3t-T0KEN-do-not-log"

type recorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *recorder) waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.d...)
}

var users = []jiratest.User{
	{AccountID: "acc-alice", Name: "alice", Email: "alice+set@example.com", Display: "Alice"},
	{AccountID: "acc-bob", Name: "bob", Email: "bob@example.com", Display: "Bob"},
}

func setup(t *testing.T, o jiratest.Options, mut ...func(*jira.Config)) (*jira.Client, *jiratest.Server, *recorder) {
	t.Helper()
	return setupWith(t, o, nil, mut...)
}

// setupWith is setup with extra client options.
func setupWith(t *testing.T, o jiratest.Options, opts []jira.Option, mut ...func(*jira.Config)) (*jira.Client, *jiratest.Server, *recorder) {
	t.Helper()
	o.Token = token
	if o.Users == nil {
		o.Users = users
	}
	fake := jiratest.New(t, o)
	cfg := jira.Config{URL: fake.URL(), Email: fake.Email(), Token: token, Project: "SET",
		Accounts:      map[string]string{"carol": "acc-bob"},
		HandoverTeams: map[string]jira.HandoverTeam{"platform": {Component: "Platform", Assignee: "acc-bob"}}}
	if o.DataCenter {
		cfg.Deployment = jira.DataCenter
		cfg.Email = ""
		cfg.Accounts = map[string]string{"carol": "bob"}
		cfg.HandoverTeams = map[string]jira.HandoverTeam{"platform": {Component: "Platform", Assignee: "bob"}}
	}
	for _, m := range mut {
		m(&cfg)
	}
	cfg.SetDefaults()
	rec := &recorder{}
	c, err := jira.New(cfg, append([]jira.Option{jira.WithSleep(rec.sleep), jira.WithJitter(func() float64 { return 0.5 }),
		jira.WithAttemptTimeout(300 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, fake, rec
}

func intake() setbot.Intake {
	return setbot.Intake{
		ID: "in-42", Username: "support.sam", Summary: "Server crashes when posting to a channel with [link|x]",
		Affected: "server\n{noformat}\nh1. injected", Customer: "Acme * Corp", Impact: "All 3,000 users\ncannot post",
		Priority: setbot.L2, Type: setbot.TypeBug, Version: "10.5.1", Database: setbot.Database{Type: "PostgreSQL", Version: "14"},
		Config:    &setbot.Attachment{Kind: setbot.ArtifactConfig, Name: "config.json", Redacted: []string{"SqlSettings.DataSource"}},
		Logs:      []setbot.Attachment{{Kind: setbot.ArtifactLog, Name: "mattermost.log"}, {Kind: setbot.ArtifactLog, Name: "huge.log"}},
		Permalink: "https://chat.example.com/team/pl/abc123",
	}
}

func request() setbot.TicketRequest {
	return setbot.TicketRequest{Intake: intake(), Assignee: "alice", AssigneeEmail: "alice+set@example.com",
		Files: []setbot.TicketFile{
			{Name: "config.json", Content: setbot.Content{Data: []byte(`{"SqlSettings":{"DataSource":"REDACTED"}}`)}},
			{Name: "mattermost.log", Content: setbot.Content{Data: []byte("panic: boom\n\ngoroutine 1 [running]:\ngithub.com/mattermost/app.(*App).CreatePost(0x1)\n\t/app/post.go:10\n")}},
			{Name: "huge.log", Content: setbot.Content{Data: make([]byte, 2048)}, Link: "https://chat.example.com/files/huge"},
		}}
}

func TestFileOnceFilesOneCompleteTicket(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{UploadLimit: 1024})
	ctx := context.Background()
	if err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.FileOnce(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	issues := fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues filed", len(issues))
	}
	is := issues[0]
	if got.Key != setbot.IssueKey(is.Key) || got.URL != fake.URL()+"/browse/"+is.Key || got.Status != "In Progress" {
		t.Fatalf("returned %+v for %s", got, is.Key)
	}
	if is.Status != "In Progress" || is.Assignee != "acc-alice" || is.Priority != "High" || is.IssueType != "Bug" ||
		strings.Join(is.Components, ",") != "Sustained Engineering" {
		t.Fatalf("issue %s: status %s assignee %s priority %s type %s components %v", is.Key, is.Status, is.Assignee, is.Priority, is.IssueType, is.Components)
	}
	for _, l := range []string{"setbot-in-42", "sustained-engineering", "customer-reported", "priority-L2"} {
		if !contains(is.Labels, l) {
			t.Errorf("label %s missing from %v", l, is.Labels)
		}
	}
	if !hasPrefix(is.Labels, "stack-") {
		t.Errorf("no stack signature label in %v", is.Labels)
	}
	if len(is.Attachments) != 2 || is.Attachments[0].Filename != "config.json" || is.Attachments[1].Filename != "mattermost.log" {
		t.Fatalf("attachments %+v", is.Attachments)
	}
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "huge.log") {
		t.Fatalf("notes %q", got.Notes)
	}
	for _, want := range []string{"h2. Summary", "h2. What is affected", "h2. Customer & impact", "h2. Priority", "*L2* — major",
		"h2. Type", "h2. Mattermost version", "h2. Database", "PostgreSQL 14", "h2. Configuration", "[^config.json]",
		"* SqlSettings.DataSource", "h2. Logs", "h2. Profiles and stack dump", "h2. Support packet", "h2. Origin",
		"[Mattermost thread where this started|https://chat.example.com/team/pl/abc123]", "h2. Reported by", "@support.sam",
		"Acme \\* Corp", "[huge.log|https://chat.example.com/files/huge] — too large", "{ noformat}\nh1. injected"} {
		if !strings.Contains(is.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, is.Description)
		}
	}
	if string(is.Properties["setbot.intake"]) == "" {
		t.Errorf("intake property not set")
	}
	// The same request again finds the ticket and changes nothing.
	before := len(fake.Requests())
	again, err := c.FileOnce(ctx, request())
	if err != nil || again.Key != got.Key || len(fake.Issues()) != 1 {
		t.Fatalf("second FileOnce: %+v %v, %d issues", again, err, len(fake.Issues()))
	}
	for _, r := range fake.Requests()[before:] {
		if r.Method != "GET" && !strings.HasSuffix(r.Path, "/search/jql") {
			t.Errorf("second FileOnce changed something: %s %s", r.Method, r.Path)
		}
	}
}

func TestFileOnce503ThenOKFilesOneTicket(t *testing.T) {
	c, fake, rec := setup(t, jiratest.Options{})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue", Status: 503})
	if _, err := c.FileOnce(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Issues()); n != 1 {
		t.Fatalf("%d issues", n)
	}
	if w := rec.waits(); len(w) != 1 {
		t.Fatalf("waits %v", w)
	}
}

func TestFileOnce429WaitsRetryAfter(t *testing.T) {
	c, fake, rec := setup(t, jiratest.Options{})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue", Status: 429, RetryAfter: "1"},
		jiratest.Fault{Method: "POST", Path: "/rest/api/2/search/jql", Status: 429, RetryAfter: "3"})
	if _, err := c.FileOnce(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	if w := rec.waits(); len(w) != 2 || w[0] != 3*time.Second || w[1] != time.Second {
		t.Fatalf("waits %v, want [3s 1s]", w)
	}
	if n := len(fake.Issues()); n != 1 {
		t.Fatalf("%d issues", n)
	}
}

// TestFileOnceCrashBetweenCreateAndRecord: Jira creates the ticket but the
// answer is lost (a 500 after the work, or a hang past the timeout). The
// client must not create again; a retry of FileOnce finds the ticket by its
// label and finishes it.
func TestFileOnceCrashBetweenCreateAndRecord(t *testing.T) {
	for name, f := range map[string]jiratest.Fault{
		"500 after create":  {Method: "POST", Path: "/rest/api/2/issue", Status: 500, AfterHandling: true},
		"hang after create": {Method: "POST", Path: "/rest/api/2/issue", Hang: true, AfterHandling: true},
	} {
		t.Run(name, func(t *testing.T) {
			for _, lag := range []int{0, 1} {
				c, fake, _ := setup(t, jiratest.Options{SearchLag: lag})
				fake.Inject(f)
				got, err := c.FileOnce(context.Background(), request())
				if lag == 0 {
					// Found at once by the search after the unknown outcome.
					if err != nil || got.Key == "" {
						t.Fatalf("lag 0: %+v %v", got, err)
					}
				} else {
					// The index has not caught up: say "try later, after the
					// index had time", and do not create.
					if setbot.ErrorCode(err) != setbot.EUnavailable || setbot.RetryAfter(err) < 15*time.Second {
						t.Fatalf("lag 1: err %v, retry after %s; want unavailable, at least 15s", err, setbot.RetryAfter(err))
					}
					if got, err = c.FileOnce(context.Background(), request()); err != nil {
						t.Fatal(err)
					}
				}
				issues := fake.Issues()
				if len(issues) != 1 || got.Key != setbot.IssueKey(issues[0].Key) {
					t.Fatalf("lag %d: %d issues, got %+v", lag, len(issues), got)
				}
				if is := issues[0]; is.Status != "In Progress" || is.Assignee != "acc-alice" || len(is.Attachments) != 3 {
					t.Fatalf("lag %d: not finished: status %s assignee %s attachments %d", lag, is.Status, is.Assignee, len(is.Attachments))
				}
			}
		})
	}
}

func TestFileOnceFinishesAfterFailedAttach(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue/SET-1/attachments", Status: 500, AfterHandling: true})
	if _, err := c.FileOnce(context.Background(), request()); setbot.ErrorCode(err) != setbot.EUnavailable {
		t.Fatalf("err %v", err)
	}
	if _, err := c.FileOnce(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if len(fake.Issues()) != 1 || len(is.Attachments) != 3 || is.Status != "In Progress" {
		t.Fatalf("issues %d, attachments %d, status %s", len(fake.Issues()), len(is.Attachments), is.Status)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasPrefix(list []string, p string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

// benchClient is a client with default options and a fake without its
// contract check, for benchmarks over loopback.
func benchClient(b *testing.B) (*jira.Client, *jiratest.Server) {
	b.Helper()
	fake := jiratest.New(b, jiratest.Options{Token: token, NoContract: true})
	cfg := jira.Config{URL: fake.URL(), Email: fake.Email(), Token: token, Project: "SET"}
	cfg.SetDefaults()
	c, err := jira.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c, fake
}

// TestCommunityTicketIsLabelledCommunityNotCustomer: an intake about a
// community server carries its "community" label, and no
// customer-reported label.
func TestCommunityTicketIsLabelledCommunityNotCustomer(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{UploadLimit: 1024})
	r := request()
	r.Intake.Customer, r.Intake.Labels = "community server (community.mattermost.com)", []string{"community"}
	if _, err := c.FileOnce(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if !contains(is.Labels, "community") || contains(is.Labels, "customer-reported") {
		t.Errorf("labels %v: want community and not customer-reported", is.Labels)
	}
}
