package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

const secret = "tok-3f9a-very-secret"

var hook = setbot.PageHook{Page: "p1", Event: "page", Step: "primary", Target: "alice",
	Reason: "first page", Text: "checkout is down", At: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}

func TestSendPostsPlainJSON(t *testing.T) {
	var mu sync.Mutex
	var got setbot.PageHook
	var ctype, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		ctype, path = r.Header.Get("Content-Type"), r.URL.Path
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/hooks/"+secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(context.Background(), hook); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if ctype != "application/json" || path != "/hooks/"+secret {
		t.Errorf("content type %q, path %q", ctype, path)
	}
	if !got.At.Equal(hook.At) || got.Page != "p1" || got.Event != "page" || got.Target != "alice" || got.Step != "primary" {
		t.Errorf("endpoint got %+v, want %+v", got, hook)
	}
}

func TestSendClassifiesAnswersAndNeverShowsTheURL(t *testing.T) {
	cases := []struct {
		status int
		code   string
	}{
		{200, ""}, {204, ""},
		{500, setbot.EUnavailable}, {503, setbot.EUnavailable}, {429, setbot.EUnavailable}, {408, setbot.EUnavailable},
		{400, setbot.EInvalid}, {401, setbot.EInvalid}, {404, setbot.EInvalid},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte("echo " + secret)) // a body that repeats the secret is never kept
		}))
		c, err := New(srv.URL+"/x?token="+secret, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Send(context.Background(), hook)
		srv.Close()
		if got := setbot.ErrorCode(err); got != tc.code {
			t.Errorf("status %d: code %q (%v), want %q", tc.status, got, err, tc.code)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("status %d: error shows the secret: %v", tc.status, err)
		}
	}
}

func TestSendUnreachableAndSlowAreRetryableWithoutTheURL(t *testing.T) {
	// A closed server: nothing listens any more.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-block
	}))
	defer slow.Close()
	defer close(block)

	for name, u := range map[string]string{"unreachable": deadURL, "slow": slow.URL} {
		c, err := New(u+"/p/"+secret, &http.Client{Timeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Send(context.Background(), hook)
		if setbot.ErrorCode(err) != setbot.EUnavailable {
			t.Errorf("%s: %v, want EUnavailable", name, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the secret: %v", name, err)
		}
	}
}

// TestSendHonoursContext: a send stops when its context ends, rather than
// when the client's own timeout (which says "timed out") would end it.
func TestSendHonoursContext(t *testing.T) {
	reached, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(reached)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-reached; cancel() }()
	err := c.Send(ctx, hook)
	if setbot.ErrorCode(err) != setbot.EUnavailable || !strings.Contains(setbot.ErrorMessage(err), "gave up waiting") {
		t.Errorf("cancelled send: %v; want EUnavailable, gave up waiting", err)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "hooks.example.com/x", "https://user:" + secret + "@hooks.example.com/x"} {
		_, err := New(u, nil)
		if err == nil {
			t.Errorf("New(%q) accepted it", u)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("New error shows the secret: %v", err)
		}
	}
	c, err := New("https://hooks.example.com/services/"+secret+"?k="+secret, nil)
	if err != nil || c.Host() != "https://hooks.example.com" {
		t.Errorf("Host = %q, %v", c.Host(), err)
	}
}
