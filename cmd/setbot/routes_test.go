package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/bot"
	"github.com/setbot/setbot/dispatch"
	"github.com/setbot/setbot/store"
)

// TestRoutesServeHealthReadinessAndMetrics serves the real routes over a
// real store, with a listener that never connected (nothing dials out).
func TestRoutesServeHealthReadinessAndMetrics(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "setbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	err = db.Update(now.Add(-time.Minute), func(tx *store.Tx) error {
		_, err := tx.Enqueue("post", "", setbot.Reply{Text: "waiting"}, time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var c *bot.Client // never dialled: the routes only hold it
	l := c.NewListener(zerolog.Nop(), db, func(setbot.Message) {})
	reg := newMetrics(zerolog.Nop(), db, func() time.Time { return now }, "sustained-engineering")
	reg.WatchWebsocket(l.Connected, l.Reconnects.Load)
	reg.Handled("dm")
	m := NewMain(io.Discard)
	m.Now = func() time.Time { return now }
	var d *dispatch.Dispatcher
	cfg := &Config{Calendar: CalendarConfig{Token: "calendar-token-0123456789"}}
	rot := dispatch.Rotation{Location: time.UTC, Weeks: []setbot.Week{{Starts: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Primary: "alice"}}}
	if err := db.PutOverrides([]setbot.Override{{WeekStart: "2026-03-02", Role: setbot.RoleLead, User: "lee"}}, "lee", now); err != nil {
		t.Fatal(err)
	}
	r := &role{}
	r.leading.Store(true)
	reg.WatchLeader(r.Leading)
	srv := httptest.NewServer(m.routes(zerolog.Nop(), db, r, l, c, d, reg, m.calendar(zerolog.Nop(), cfg, rot, db)))
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if code, body := get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "leader: websocket") {
		t.Errorf("/readyz before the websocket is up: %d %q; want 503 naming the role and the websocket", code, body)
	}
	// Among replicas sharing a store, a leader not listening yet still
	// answers 200 (a load balancer may send it clicks), saying why.
	r.shared = true
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, "leader: websocket not connected") {
		t.Errorf("/readyz of a shared-store leader before the websocket is up: %d %q; want 200 naming the websocket", code, body)
	}
	r.shared = false
	// A follower is ready without a websocket: it answers buttons.
	r.leading.Store(false)
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, "ready: follower") {
		t.Errorf("/readyz of a follower: %d %q; want 200 naming the role", code, body)
	}
	if _, body := get("/metrics"); !strings.Contains(body, "\nsetbot_leader 0\n") {
		t.Errorf("/metrics of a follower lacks setbot_leader 0")
	}
	r.leading.Store(true)
	// The calendar feed: the configured week and the stored override.
	if code, body := get("/calendar/calendar-token-0123456789.ics"); code != http.StatusOK ||
		!strings.Contains(body, "SUMMARY:SET primary: @alice") || !strings.Contains(body, "SUMMARY:SET lead: @lee") {
		t.Errorf("/calendar: %d %q", code, body)
	}
	if code, _ := get("/calendar/guess.ics"); code != http.StatusNotFound {
		t.Errorf("/calendar with a wrong token: %d, want 404", code)
	}
	if m.calendar(zerolog.Nop(), &Config{}, rot, db) != nil {
		t.Errorf("a calendar is served without a token")
	}
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %q", code, body)
	}
	for _, want := range []string{
		"\nsetbot_posts_handled_total{kind=\"dm\"} 1\n",
		"\nsetbot_outbox_jobs 1\n",
		"\nsetbot_outbox_oldest_job_age_seconds 60\n",
		"\nsetbot_websocket_connected 0\n",
		"\nsetbot_leader 1\n",
		"\nsetbot_websocket_reconnects_total 0\n",
		"\nsetbot_unanswered_posts{channel=\"sustained-engineering\"} 0\n",
		"\ngo_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	res, err := http.Post(srv.URL+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", res.StatusCode)
	}
}
