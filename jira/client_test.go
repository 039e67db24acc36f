package jira

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// sleeps records the waits a client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newTestClient(t *testing.T, url string, log *bytes.Buffer, opts ...Option) (*Client, *sleeps) {
	t.Helper()
	cfg := Config{URL: url, Email: "bot@example.com", Token: testToken, Project: "SET"}
	cfg.SetDefaults()
	s := &sleeps{}
	base := []Option{WithSleep(s.sleep), WithJitter(func() float64 { return 0 }), WithAttemptTimeout(2 * time.Second)}
	if log != nil {
		base = append(base, WithLogger(zerolog.New(log)))
	}
	c, err := New(cfg, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// scripted answers requests with the given statuses in turn, then 200 {}.
func scripted(t *testing.T, steps ...func(w http.ResponseWriter)) (*httptest.Server, *int) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i < len(steps) {
			steps[i](w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"key":"SET-1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(`{"errorMessages":["nope"],"errors":{}}`))
	}
}

func TestDoRetries503ThenOK(t *testing.T) {
	srv, n := scripted(t, status(503), status(502))
	c, s := newTestClient(t, srv.URL, nil)
	var out struct{ Key string }
	if err := c.do(context.Background(), call{op: "read", method: "GET", path: "rest/api/2/issue/SET-1"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Key != "SET-1" || *n != 3 {
		t.Fatalf("got %+v after %d requests", out, *n)
	}
	if got := s.all(); len(got) != 2 || got[0] != 250*time.Millisecond || got[1] != 500*time.Millisecond {
		t.Fatalf("waits %v, want backoff 250ms, 500ms", got)
	}
}

func TestDoHonoursRetryAfter(t *testing.T) {
	srv, n := scripted(t, status(429, "Retry-After", "1"), status(503, "Retry-After", "7"))
	c, s := newTestClient(t, srv.URL, nil)
	if err := c.do(context.Background(), call{op: "read", method: "POST", path: "rest/api/2/issue"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := s.all(); *n != 3 || len(got) != 2 || got[0] != time.Second || got[1] != 7*time.Second {
		t.Fatalf("waits %v after %d requests, want [1s 7s]", got, *n)
	}
}

func TestDoGivesUpUnavailable(t *testing.T) {
	srv, n := scripted(t, status(500), status(500), status(500), status(500), status(500), status(500))
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.do(context.Background(), call{op: "read the ticket", method: "GET", path: "rest/api/2/issue/SET-1"}, nil)
	if setbot.ErrorCode(err) != setbot.EUnavailable || *n != defaultMaxAttempts {
		t.Fatalf("err %v (code %s) after %d requests", err, setbot.ErrorCode(err), *n)
	}
}

func TestDoDoesNotRepeatUnknownOutcome(t *testing.T) {
	srv, n := scripted(t, status(500))
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.do(context.Background(), call{op: "create the ticket", method: "POST", path: "rest/api/2/issue"}, nil)
	if !isUnknown(err) || *n != 1 || setbot.ErrorCode(err) != setbot.EUnavailable {
		t.Fatalf("err %v unknown=%v after %d requests", err, isUnknown(err), *n)
	}
}

func TestDoTimeoutIsUnknown(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, srv.URL, nil, WithAttemptTimeout(50*time.Millisecond))
	err := c.do(context.Background(), call{op: "create the ticket", method: "POST", path: "rest/api/2/issue"}, nil)
	if !isUnknown(err) || setbot.ErrorCode(err) != setbot.EUnavailable {
		t.Fatalf("err %v unknown=%v", err, isUnknown(err))
	}
}

func TestDoClientErrorsAreSentences(t *testing.T) {
	for code, want := range map[int]string{
		400: setbot.EInvalid, 401: setbot.EUnconfigured, 403: setbot.EForbidden, 404: setbot.ENotFound, 410: setbot.EUnconfigured,
	} {
		srv, n := scripted(t, status(code))
		c, s := newTestClient(t, srv.URL, nil)
		err := c.do(context.Background(), call{op: "change the priority of SET-1", method: "PUT", path: "rest/api/2/issue/SET-1", idempotent: true}, nil)
		if setbot.ErrorCode(err) != want || *n != 1 || len(s.all()) != 0 {
			t.Errorf("%d: code %s after %d requests (waits %v), want %s once", code, setbot.ErrorCode(err), *n, s.all(), want)
		}
		msg := setbot.ErrorMessage(err)
		if code == 401 { // one sentence for every call, so the admins are told once
			if !strings.Contains(msg, "jira.token") || strings.Contains(msg, "priority") {
				t.Errorf("401: message %q", msg)
			}
			continue
		}
		if !strings.Contains(msg, "change the priority of SET-1") || !strings.HasSuffix(strings.TrimSpace(msg), ".") && !strings.Contains(msg, "nope") {
			t.Errorf("%d: message %q is not a sentence about the operation", code, msg)
		}
	}
}

// TestSecretsNeverLeak drives the client through failures of every kind and
// checks that neither the token nor the Authorization header appears in an
// error, a person-facing message or the log.
func TestSecretsNeverLeak(t *testing.T) {
	var seenAuth []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seenAuth = append(seenAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		switch r.URL.Path {
		case "/rest/api/2/a":
			status(401)(w)
		case "/rest/api/2/b":
			status(503)(w)
		case "/rest/api/2/c":
			w.Write([]byte("not json"))
		default:
			status(400)(w)
		}
	}))
	defer srv.Close()
	var log bytes.Buffer
	c, _ := newTestClient(t, srv.URL, &log, WithRetry(2, time.Millisecond, time.Millisecond))
	var errs []error
	for _, p := range []string{"a", "b", "c", "d"} {
		var out struct{}
		err := c.do(context.Background(), call{op: "x", method: "GET", path: "rest/api/2/" + p}, &out)
		errs = append(errs, err, c.public("x", err))
	}
	// And a transport failure against a closed server.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c2, _ := newTestClient(t, dead.URL, &log, WithRetry(1, time.Millisecond, time.Millisecond))
	err := c2.do(context.Background(), call{op: "x", method: "GET", path: "rest/api/2/e"}, nil)
	errs = append(errs, err, c2.public("x", err))

	if len(seenAuth) == 0 || !strings.HasPrefix(seenAuth[0], "Basic ") {
		t.Fatalf("requests were not authenticated: %q", seenAuth)
	}
	secrets := []string{testToken, seenAuth[0], strings.TrimPrefix(seenAuth[0], "Basic ")}
	for _, e := range errs {
		if e == nil {
			t.Fatal("expected an error")
		}
		var pe *setbot.Error
		if !errors.As(e, &pe) {
			t.Fatalf("%v is not a *setbot.Error", e)
		}
		for _, s := range secrets {
			if strings.Contains(e.Error(), s) || strings.Contains(setbot.ErrorMessage(e), s) {
				t.Fatalf("error leaks a secret: %v", e)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(log.String(), s) {
			t.Fatalf("log leaks a secret: %s", log.String())
		}
	}
	if !strings.Contains(log.String(), "jira call failed") {
		t.Fatalf("nothing was logged: %q", log.String())
	}
}

func TestBearerForDataCenter(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get("Authorization") }))
	defer srv.Close()
	cfg := Config{URL: srv.URL, Deployment: DataCenter, Token: testToken, Project: "SET"}
	cfg.SetDefaults()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.do(context.Background(), call{op: "x", method: "GET", path: "rest/api/2/myself"}, nil); err != nil {
		t.Fatal(err)
	}
	if got != "Bearer "+testToken {
		t.Fatalf("Authorization = %q", got)
	}
}
