package jira_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

// An attachment kept in a file is streamed from it, and an upload that is
// retried (rate-limited first) sends the whole file again.
func TestAttachStreamsAFileAndResendsItWhole(t *testing.T) {
	// A few MiB through the fake under -race outlast setup's 300 ms attempts.
	c, fake, _ := setupWith(t, jiratest.Options{}, []jira.Option{jira.WithAttemptTimeout(time.Minute)})
	key := fake.AddIssue(jiratest.Issue{Summary: "Server crashes"})
	want := bytes.Repeat([]byte("a masked log line\n"), 3<<20/18)
	path := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	fake.Inject(jiratest.Fault{Method: "POST", Path: "/rest/api/2/issue/" + key + "/attachments", Status: http.StatusTooManyRequests, RetryAfter: "1"})
	files := []setbot.TicketFile{{Name: "mattermost.log", Content: setbot.Content{Path: path, Size: int64(len(want))}}}
	if err := c.Comment(context.Background(), setbot.IssueKey(key), "one more report", files); err != nil {
		t.Fatal(err)
	}
	is := fake.Issues()[0]
	if len(is.Attachments) != 1 || !bytes.Equal(is.Attachments[0].Data, want) {
		t.Fatalf("%d attachments; the first holds %d bytes, want %d", len(is.Attachments), len(is.Attachments[0].Data), len(want))
	}
	if n := posts(fake, "/attachments"); n != 2 {
		t.Errorf("%d upload POSTs, want 2 (the rate-limited one, then the retry)", n)
	}
}
