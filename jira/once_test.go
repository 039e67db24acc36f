package jira_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

func onceFiles() []setbot.TicketFile {
	return []setbot.TicketFile{{Name: "mattermost.log", Content: setbot.Content{Data: []byte("log line\n")}}, {Name: "config.json", Content: setbot.Content{Data: []byte(`{"a":1}`)}}}
}

// posts counts the POSTs the fake received to paths ending in suffix.
func posts(fake *jiratest.Server, suffix string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

func attachmentCounts(is jiratest.Issue) map[string]int {
	out := map[string]int{}
	for _, a := range is.Attachments {
		out[a.Filename]++
	}
	return out
}

// Every faulted write succeeds on the server but its answer is lost (an
// unknown 504 for an upload, a 503 for the first comment, a timeout for
// the second): one comment per ref, one copy of each file, on Cloud and
// Data Center.
func TestCommentOnceLostAnswers(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			c, fake, _ := setup(t, jiratest.Options{DataCenter: dc})
			key := fake.AddIssue(jiratest.Issue{Summary: "Server crashes"})
			base := "/rest/api/2/issue/" + key
			fake.Inject(
				jiratest.Fault{Method: "POST", Path: base + "/attachments", Status: http.StatusGatewayTimeout, AfterHandling: true},
				jiratest.Fault{Method: "POST", Path: base + "/comment", Status: http.StatusServiceUnavailable, AfterHandling: true},
				jiratest.Fault{Method: "POST", Path: base + "/comment", Hang: true, AfterHandling: true},
			)
			ctx := context.Background()
			if err := c.CommentOnce(ctx, setbot.IssueKey(key), "setbot-job-7-abc", "Another report\nfrom support", onceFiles()); err != nil {
				t.Fatalf("CommentOnce: %v", err)
			}
			is := fake.Issues()[0]
			if len(is.Comments) != 1 {
				t.Fatalf("%d comments, want 1: %+v", len(is.Comments), is.Comments)
			}
			if got := attachmentCounts(is); got["mattermost.log"] != 1 || got["config.json"] != 1 || len(is.Attachments) != 2 {
				t.Fatalf("attachments %v, want one of each", got)
			}
			body := is.Comments[0].Body
			for _, want := range []string{"Another report", "[^mattermost.log]", "[^config.json]"} {
				if !strings.Contains(body, want) {
					t.Errorf("comment %q lacks %q", body, want)
				}
			}
			if n := posts(fake, "/comment"); n != 1 {
				t.Errorf("%d comment POSTs reached Jira, want 1 (the lost ones must not be repeated blindly)", n)
			}
			// The caller's retry (the outbox after a crash) makes nothing.
			before := len(fake.Requests())
			if err := c.CommentOnce(ctx, setbot.IssueKey(key), "setbot-job-7-abc", "Another report\nfrom support", onceFiles()); err != nil {
				t.Fatal(err)
			}
			if posts(fake, "/comment") != 1 || posts(fake, "/attachments") != 2 {
				t.Fatalf("the retry wrote: %d comment and %d upload POSTs", posts(fake, "/comment"), posts(fake, "/attachments"))
			}
			if len(fake.Requests()) == before {
				t.Fatal("the retry did not look at Jira")
			}
			// Another ref is another comment (its answer is lost to a
			// timeout); the same files are not uploaded again.
			if err := c.CommentOnce(ctx, setbot.IssueKey(key), "setbot-job-8-abc", "A third report", onceFiles()); err != nil {
				t.Fatal(err)
			}
			is = fake.Issues()[0]
			if len(is.Comments) != 2 || len(is.Attachments) != 2 || posts(fake, "/comment") != 2 {
				t.Fatalf("after another ref: %d comments, %d attachments, %d comment POSTs", len(is.Comments), len(is.Attachments), posts(fake, "/comment"))
			}
		})
	}
}

// With one attempt per call, the first call gives up (EUnavailable) after
// a timeout that Jira survived; the caller's retry finds the comment.
func TestCommentOnceCallerRetryAfterTimeout(t *testing.T) {
	c, fake, _ := setupWith(t, jiratest.Options{}, []jira.Option{jira.WithRetry(1, time.Millisecond, time.Millisecond)})
	key := fake.AddIssue(jiratest.Issue{Summary: "Server crashes"})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue/" + key + "/comment", Hang: true, AfterHandling: true})
	ctx := context.Background()
	err := c.CommentOnce(ctx, setbot.IssueKey(key), "ref-1", "hello", nil)
	if setbot.ErrorCode(err) != setbot.EUnavailable {
		t.Fatalf("first call: %v, want EUnavailable", err)
	}
	if err := c.CommentOnce(ctx, setbot.IssueKey(key), "ref-1", "hello", nil); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(fake.Issues()[0].Comments); n != 1 {
		t.Fatalf("%d comments, want 1", n)
	}
}

// The ref is found on any page of the comment list.
func TestCommentOncePagesThroughComments(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{CommentPage: 2})
	key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "Server crashes"}))
	ctx := context.Background()
	refs := []string{"r0", "r1", "r2", "r3", "r4"}
	for _, r := range refs {
		if err := c.CommentOnce(ctx, key, r, "comment "+r, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range refs {
		if err := c.CommentOnce(ctx, key, r, "comment "+r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fake.Issues()[0].Comments); n != len(refs) {
		t.Fatalf("%d comments, want %d", n, len(refs))
	}
	var lastPage bool
	for _, r := range fake.Requests() {
		lastPage = lastPage || (r.Method == "GET" && strings.HasSuffix(r.Path, "/comment") && strings.Contains(r.Query, "startAt=4"))
	}
	if !lastPage {
		t.Fatal("never read the third page of comments")
	}
}

func TestHandoverOnceLostAnswer(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	key := fake.AddIssue(jiratest.Issue{Summary: "Server crashes"})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue/" + key + "/comment", Status: http.StatusBadGateway, AfterHandling: true})
	ctx := context.Background()
	for range 2 {
		if err := c.HandoverOnce(ctx, setbot.IssueKey(key), "job-3-x", "Platform", "over to you"); err != nil {
			t.Fatal(err)
		}
	}
	is := fake.Issues()[0]
	if len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "Handed over to *platform*") ||
		!strings.Contains(is.Comments[0].Body, "over to you") {
		t.Fatalf("comments %+v", is.Comments)
	}
	if !contains(is.Components, "Platform") || is.Assignee != "acc-bob" {
		t.Fatalf("not handed over: %+v", is)
	}
	if err := c.HandoverOnce(ctx, setbot.IssueKey(key), "job-4-x", "nobody", ""); setbot.ErrorCode(err) != setbot.EInvalid {
		t.Fatalf("unknown team: %v", err)
	}
}

// A file Jira refuses as too large is linked in the one comment, not in a
// comment of its own that a retry would repeat.
func TestCommentOnceRefusedFileIsLinkedInTheComment(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	key := fake.AddIssue(jiratest.Issue{Summary: "Server crashes"})
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue/" + key + "/attachments", Status: http.StatusRequestEntityTooLarge})
	files := []setbot.TicketFile{{Name: "heap.pprof", Content: setbot.Content{Data: []byte("big")}, Link: "https://chat.example.com/files/1"}}
	if err := c.CommentOnce(context.Background(), setbot.IssueKey(key), "ref", "profile", files); err != nil {
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if len(is.Comments) != 1 || len(is.Attachments) != 0 || !strings.Contains(is.Comments[0].Body, "[heap.pprof|https://chat.example.com/files/1]") {
		t.Fatalf("issue %+v", is)
	}
}

func TestCommentOnceRefusals(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "Server crashes"}))
	ctx := context.Background()
	if err := c.CommentOnce(ctx, "SET-99", "ref", "x", nil); setbot.ErrorCode(err) != setbot.ENotFound {
		t.Fatalf("missing ticket: %v", err)
	}
	if err := c.CommentOnce(ctx, key, " ", "x", nil); setbot.ErrorCode(err) != setbot.EInternal {
		t.Fatalf("empty ref: %v", err)
	}
	if err := c.CommentOnce(ctx, key, strings.Repeat("r", 256), "x", nil); setbot.ErrorCode(err) != setbot.EInternal {
		t.Fatalf("long ref: %v", err)
	}
	if n := len(fake.Issues()[0].Comments); n != 0 {
		t.Fatalf("%d comments", n)
	}
}

// BenchmarkCommentOnceAlreadyMade is the retry's cost on a busy ticket:
// 1,000 comments (10 pages) read to find the ref on the last one, against
// the fake over loopback with the contract check off.
func BenchmarkCommentOnceAlreadyMade(b *testing.B) {
	c, fake := benchClient(b)
	key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "busy"}))
	ctx := context.Background()
	for range 999 {
		if err := c.Comment(ctx, key, "noise", nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.CommentOnce(ctx, key, "last", "the one", nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := c.CommentOnce(ctx, key, "last", "the one", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := len(fake.Issues()[0].Comments); n != 1000 {
		b.Fatalf("%d comments", n)
	}
}

// BenchmarkCommentOnceNew is a first comment with one file on a quiet
// ticket: look, read attachments, upload, comment.
func BenchmarkCommentOnceNew(b *testing.B) {
	c, fake := benchClient(b)
	ctx := context.Background()
	files := []setbot.TicketFile{{Name: "mattermost.log", Content: setbot.Content{Data: []byte("log line\n")}}}
	i := 0
	for b.Loop() {
		i++
		key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "quiet"}))
		if err := c.CommentOnce(ctx, key, "ref", "hello", files); err != nil {
			b.Fatal(err)
		}
	}
}
