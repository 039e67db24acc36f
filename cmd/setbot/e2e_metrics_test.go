//go:build e2e

package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrapeMetrics GETs setbot's /metrics and returns each sample's value by
// its name and labels as exposed, e.g. `setbot_posts_handled_total{kind="dm"}`.
func scrapeMetrics(t *testing.T, r *running) map[string]float64 {
	t.Helper()
	return scrapeAt(t, r.main.Addr)
}

// scrapeAt is scrapeMetrics for the setbot serving at addr (host:port).
func scrapeAt(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// waitMetric scrapes until every sample in want is at least its value.
func waitMetric(t *testing.T, r *running, want map[string]float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(replyTimeout)
	for {
		got := scrapeMetrics(t, r)
		short := ""
		for name, least := range want {
			if v, ok := got[name]; !ok || v < least {
				short += "\n  " + name + " = " + strconv.FormatFloat(v, 'g', -1, 64) + " (present: " + strconv.FormatBool(ok) + "), want >= " + strconv.FormatFloat(least, 'g', -1, 64)
			}
		}
		if short == "" {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics after %s:%s", replyTimeout, short)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestE2EMetricsCountADMAndAMention: after setbot answers a DM and a
// mention in ~sustained-engineering on the real server, /metrics shows them
// handled, their answers posted by the outbox, the websocket up and the
// outbox drained.
func TestE2EMetricsCountADMAndAMention(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	run := r.start(t)
	before := scrapeMetrics(t, run)
	if before[`setbot_websocket_connected`] != 1 {
		t.Errorf("setbot_websocket_connected = %v once ready, want 1", before[`setbot_websocket_connected`])
	}

	c := newChatter(t, w, "support1")
	c.say("help", "")
	s2 := person(t, w, "support2")
	mark := s2.Mark()
	post, err := s2.Post(c.ctx, w.SET.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.WaitFor(c.ctx, mark, s2.FromBot(w.SET.Id, post.Id), replyTimeout); err != nil {
		t.Fatal(err)
	}

	got := waitMetric(t, run, map[string]float64{
		`setbot_posts_handled_total{kind="dm"}`:          1,
		`setbot_posts_handled_total{kind="channel"}`:     1,
		`setbot_jobs_total{kind="post",outcome="done"}`:  2,
		`setbot_job_duration_seconds_count{kind="post"}`: 2,
		`setbot_websocket_connected`:                     1,
		`setbot_websocket_reconnects_total`:              0,
		`setbot_posts_duplicate_total`:                   0,
		`setbot_pages_total{step="primary"}`:             0,
		`setbot_incident_reminders_total{lead="false"}`:  0,
		`setbot_clicks_total{action="ack"}`:              0,
		`go_goroutines`:                                  1,
		`setbot_outbox_oldest_job_age_seconds`:           0,
	})
	if n, ok := got[`setbot_outbox_jobs`]; !ok || n > 5 {
		t.Errorf("setbot_outbox_jobs = %v (present %v) after both answers were posted; want a drained outbox", n, ok)
	}
	if _, ok := got[`setbot_jobs_total{kind="post",outcome="dropped"}`]; ok {
		t.Error("a post job was dropped")
	}
	for name := range got {
		for _, leak := range []string{w.SET.Id, "support1", "support2", c.dm} {
			if strings.Contains(name, leak) {
				t.Errorf("a metric label carries %q: %s", leak, name)
			}
		}
	}
}

// TestE2EMetricsWebsocketReconnect restarts the Mattermost server (the
// command in SETBOT_E2E_RESTART, devstack/stack restart): the websocket is
// seen down while the server is away, then up again with one more
// reconnect counted.
func TestE2EMetricsWebsocketReconnect(t *testing.T) {
	restart := os.Getenv("SETBOT_E2E_RESTART")
	if restart == "" {
		t.Skip("SETBOT_E2E_RESTART is not set: it names the command that restarts the Mattermost server (devstack/stack restart)")
	}
	w := theWorld(t)
	run := start(t, botConfig(t, w, t.TempDir(), ""))
	before := waitMetric(t, run, map[string]float64{`setbot_websocket_connected`: 1})

	sawDown := make(chan bool, 1)
	stop := make(chan struct{})
	go func() { // watch for the drop while the server restarts
		down := false
		for !down {
			select {
			case <-stop:
				sawDown <- false
				return
			case <-time.After(20 * time.Millisecond):
			}
			res, err := http.Get("http://" + run.main.Addr + "/metrics")
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			down = strings.Contains(string(b), "\nsetbot_websocket_connected 0\n")
		}
		sawDown <- true
	}()
	restartMattermost(t, restart)
	waitReady(t, run, 60*time.Second)
	close(stop)
	if !<-sawDown {
		t.Error("/metrics never showed setbot_websocket_connected 0 while the server restarted")
	}
	waitMetric(t, run, map[string]float64{
		`setbot_websocket_connected`:        1,
		`setbot_websocket_reconnects_total`: before[`setbot_websocket_reconnects_total`] + 1,
	})
}
