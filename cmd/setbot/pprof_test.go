package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestPprofServesProfilesOnLoopbackOnly: with [http] pprof_listen set,
// /debug/pprof answers there until the context ends; an address that is
// not loopback is refused by the configuration.
func TestPprofServesProfilesOnLoopbackOnly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, wait, err := servePprof(ctx, zerolog.Nop(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Errorf("/debug/pprof/goroutine: %d %.80q", res.StatusCode, body)
	}
	cancel()
	wait()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Error("/debug/pprof still answers after the context ended")
	}
	if _, wait, err := servePprof(context.Background(), zerolog.Nop(), ""); err != nil || wait == nil {
		t.Errorf("pprof off: %v", err)
	}
	for addr, ok := range map[string]bool{"": true, "127.0.0.1:6060": true, "[::1]:6060": true, "localhost:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "10.0.0.5:6060": false, "6060": false} {
		if err := checkLoopback("http.pprof_listen", addr); (err == nil) != ok {
			t.Errorf("pprof_listen %q: %v, want accepted=%v", addr, err, ok)
		}
	}
}
