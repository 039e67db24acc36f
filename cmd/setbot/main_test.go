package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const secretToken = "tok-SECRET-6a0c1f"

// TestTokenNeverLogged runs start-up against servers that refuse the token,
// report a person instead of a bot, fail with 500, or are not there at all,
// and checks that neither the logs nor the error carry the token.
func TestTokenNeverLogged(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"id":"api.context.session_expired.app_error","status_code":401}`, http.StatusUnauthorized)
	}))
	defer refuse.Close()
	person := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":"u1","username":"alice","is_bot":false}`)
	}))
	defer person.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"db down"}`, http.StatusInternalServerError)
	}))
	defer broken.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	cases := []struct {
		name, url, wantErr string
	}{
		{"revoked token", refuse.URL, "refused the bot token"},
		{"personal token", person.URL, "not a bot account"},
		{"server error", broken.URL, ""},
		{"unreachable", goneURL, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := fmt.Sprintf("[mattermost]\nurl = %q\ntoken = %q\nteam = \"eng\"\n[store]\npath = %q\n[http]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"debug\"\n",
				c.url, secretToken, filepath.Join(dir, "s.db"))
			var logs bytes.Buffer
			m := NewMain(&logs)
			m.ConfigPath = writeConfig(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			err := m.Run(ctx)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if c.wantErr != "" && !strings.Contains(msg, c.wantErr) {
				t.Errorf("error %q does not say %q", msg, c.wantErr)
			}
			if strings.Contains(msg, secretToken) || strings.Contains(logs.String(), secretToken) {
				t.Fatalf("the token leaked:\nerror: %s\nlogs: %s", msg, logs.String())
			}
			if c.wantErr == "" && !strings.Contains(logs.String(), "unreachable") {
				t.Errorf("no log line says Mattermost is unreachable: %s", logs.String())
			}
		})
	}
}

func TestRunCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "setbot ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"check-config", "-config", writeConfig(t, goodConfig)}, &out, &errb); code != 0 || !strings.Contains(out.String(), "OK") {
		t.Fatalf("check-config good: %d %q %q", code, out.String(), errb.String())
	}
	if weeks := strings.Count(out.String(), "\n  20"); weeks != 8 || !strings.Contains(out.String(), "lead ") {
		t.Fatalf("check-config lists %d weeks, want the next 8:\n%s", weeks, out.String())
	}
	errb.Reset()
	if code := run([]string{"check-config", "-config", writeConfig(t, goodConfig+"\nbogus = 1\n")}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "unknown key") {
		t.Fatalf("check-config bad: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-h"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "-config") {
		t.Fatalf("-h: %d %q", code, errb.String())
	}
}

// TestHealthzAnswersWhileMattermostIsUnreachable: setbot's HTTP server
// answers /healthz (alive) and /readyz (not ready) while it keeps trying to
// reach Mattermost, and stopping it ends Run.
func TestHealthzAnswersWhileMattermostIsUnreachable(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("[mattermost]\nurl = %q\ntoken = %q\nteam = \"eng\"\n[store]\npath = %q\n[http]\nlisten = \"127.0.0.1:0\"\n",
		goneURL, secretToken, filepath.Join(dir, "s.db"))
	m := NewMain(io.Discard)
	m.ConfigPath = writeConfig(t, cfg)
	m.Serving = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- m.Run(ctx) }()
	select {
	case <-m.Serving:
	case err := <-ran:
		t.Fatalf("Run ended before serving: %v", err)
	}
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable} {
		res, err := http.Get("http://" + m.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s while Mattermost is unreachable: %d, want %d", path, res.StatusCode, want)
		}
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run after stopping: %v", err)
	}
}
