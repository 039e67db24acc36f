package metrics_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot/dispatch"
	"github.com/setbot/setbot/metrics"
)

var _ dispatch.Meter = (*metrics.Registry)(nil)

// scrape GETs the handler and returns the exposition text.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want the text format", ct)
	}
	return rec.Body.String()
}

// wantLines fails for every line of want missing from the exposition text.
func wantLines(t *testing.T, text string, want ...string) {
	t.Helper()
	lines := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		lines[l] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("exposition lacks the line %q", w)
		}
	}
}

func TestCountsAreScraped(t *testing.T) {
	r := metrics.New(zerolog.Nop())
	var m dispatch.Meter = r
	m.Handled("dm")
	m.Handled("dm")
	m.Handled("channel")
	m.Handled("who-knows") // outside the set: other
	m.Duplicate()
	m.Job("post", "done", 30*time.Millisecond)
	m.Job("file", "retry", 3*time.Second)
	m.Job("file", "done", 200*time.Millisecond)
	m.Job("file", "gone", time.Second) // outside the set: dropped
	m.Filed()
	m.Paged("primary")
	m.Paged("backup")
	m.Acked()
	m.Reminded(true)
	m.Clicked("ack")
	m.Clicked("snooze")
	m.TimerPass(time.Unix(1_700_000_000, 500_000_000))
	text := scrape(t, r.Handler())
	wantLines(t, text,
		`setbot_posts_handled_total{kind="dm"} 2`,
		`setbot_posts_handled_total{kind="channel"} 1`,
		`setbot_posts_handled_total{kind="other"} 1`,
		`setbot_posts_duplicate_total 1`,
		`setbot_jobs_total{kind="post",outcome="done"} 1`,
		`setbot_jobs_total{kind="file",outcome="retry"} 1`,
		`setbot_jobs_total{kind="file",outcome="done"} 1`,
		`setbot_jobs_total{kind="file",outcome="dropped"} 1`,
		`setbot_job_duration_seconds_count{kind="file"} 3`,
		`setbot_job_duration_seconds_bucket{kind="file",le="0.25"} 1`,
		`setbot_job_duration_seconds_bucket{kind="file",le="2.5"} 2`,
		`setbot_job_duration_seconds_bucket{kind="file",le="+Inf"} 3`,
		`setbot_job_duration_seconds_sum{kind="post"} 0.03`,
		`setbot_tickets_filed_total 1`,
		`setbot_pages_total{step="primary"} 1`,
		`setbot_pages_total{step="backup"} 1`,
		`setbot_pages_total{step="lead"} 0`,
		`setbot_pages_acknowledged_total 1`,
		`setbot_incident_reminders_total{lead="true"} 1`,
		`setbot_incident_reminders_total{lead="false"} 0`,
		`setbot_clicks_total{action="ack"} 1`,
		`setbot_clicks_total{action="snooze"} 1`,
		`setbot_clicks_total{action="intake"} 0`,
		`setbot_timer_pass_timestamp_seconds 1.7000000005e+09`,
		`# TYPE setbot_posts_handled_total counter`,
		`# TYPE setbot_job_duration_seconds histogram`,
	)
	for _, runtime := range []string{"go_goroutines ", "process_start_time_seconds "} {
		if !strings.Contains(text, "\n"+runtime) {
			t.Errorf("exposition lacks the runtime/process metric %q", runtime)
		}
	}
}

func TestWatchedValuesAreReadAtScrapeTime(t *testing.T) {
	r := metrics.New(zerolog.Nop())
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	jobs, oldest := 0, time.Time{}
	var storeErr error
	r.WatchOutbox(func() (int, time.Time, error) { return jobs, oldest, storeErr }, func() time.Time { return now })
	up, reconnects := false, int64(0)
	r.WatchWebsocket(func() bool { return up }, func() int64 { return reconnects })
	leading := false
	r.WatchLeader(func() bool { return leading })
	h := r.Handler()

	wantLines(t, scrape(t, h),
		`setbot_leader 0`,
		`setbot_outbox_jobs 0`,
		`setbot_outbox_oldest_job_age_seconds 0`,
		`setbot_websocket_connected 0`,
		`setbot_websocket_reconnects_total 0`,
		`# TYPE setbot_websocket_reconnects_total counter`,
		`# TYPE setbot_outbox_jobs gauge`)

	jobs, oldest = 12, now.Add(-90*time.Second)
	up, reconnects, leading = true, 3, true
	wantLines(t, scrape(t, h),
		`setbot_leader 1`,
		`setbot_outbox_jobs 12`,
		`setbot_outbox_oldest_job_age_seconds 90`,
		`setbot_websocket_connected 1`,
		`setbot_websocket_reconnects_total 3`)

	// An unreadable store leaves the outbox out; the rest is still served.
	storeErr = errors.New("store closed")
	text := scrape(t, h)
	if strings.Contains(text, "setbot_outbox_jobs") {
		t.Error("outbox gauges served from a store that failed")
	}
	wantLines(t, text, `setbot_websocket_connected 1`)
}

func TestScrapeErrorsAreLogged(t *testing.T) {
	var logs bytes.Buffer
	r := metrics.New(zerolog.New(&logs))
	r.WatchOutbox(func() (int, time.Time, error) { return 0, time.Time{}, errors.New("store closed") }, time.Now)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if !strings.Contains(logs.String(), "store closed") {
		t.Errorf("scrape error not logged: %q", logs.String())
	}
}

// BenchmarkHandled is what counting adds to each handled post: one Meter
// call through the interface, as dispatch makes it.
func BenchmarkHandled(b *testing.B) {
	var m dispatch.Meter = metrics.New(zerolog.Nop())
	for b.Loop() {
		m.Handled("dm")
	}
}

// BenchmarkHandledParallel is the same from every worker at once.
func BenchmarkHandledParallel(b *testing.B) {
	var m dispatch.Meter = metrics.New(zerolog.Nop())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Handled("dm")
		}
	})
}

// BenchmarkJob is what counting adds to each outbox job (a counter and a
// histogram, looked up by kind).
func BenchmarkJob(b *testing.B) {
	var m dispatch.Meter = metrics.New(zerolog.Nop())
	for b.Loop() {
		m.Job("post", "done", 20*time.Millisecond)
	}
}

// BenchmarkScrape is one full /metrics scrape, runtime collectors included.
func BenchmarkScrape(b *testing.B) {
	r := metrics.New(zerolog.Nop())
	r.WatchOutbox(func() (int, time.Time, error) { return 3, time.Now().Add(-time.Second), nil }, time.Now)
	r.WatchWebsocket(func() bool { return true }, func() int64 { return 1 })
	h := r.Handler()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func TestStoreBytesAreReadAtScrapeTime(t *testing.T) {
	r := metrics.New(zerolog.Nop())
	size := int64(4096)
	r.WatchStore(func() (int64, error) { return size, nil }, func() (int, error) { return 2, nil })
	wantLines(t, scrape(t, r.Handler()), `setbot_store_bytes 4096`, `setbot_dead_letters 2`)
	size = 8192
	wantLines(t, scrape(t, r.Handler()), `setbot_store_bytes 8192`)
}

func TestStaleTicketsAppearOnceJiraWasRead(t *testing.T) {
	r := metrics.New(zerolog.Nop())
	n, known := 0, false
	r.WatchStale(func() (int, bool) { return n, known })
	if text := scrape(t, r.Handler()); strings.Contains(text, "setbot_stale_tickets ") {
		t.Errorf("setbot_stale_tickets exported before Jira was read:\n%s", text)
	}
	n, known = 3, true
	wantLines(t, scrape(t, r.Handler()), `setbot_stale_tickets 3`)
}
