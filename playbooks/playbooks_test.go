package playbooks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/playbooks"
)

const secret = "s3cr3t-token-value"

// standIn is a local stand-in for a Mattermost server: handler answers the
// runs endpoint after checking what every request must carry.
func standIn(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/plugins/playbooks/api/v0/runs" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+secret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLastStatusUpdatePresent(t *testing.T) {
	srv := standIn(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("channel_id"); got != "chan1" {
			t.Errorf("channel_id = %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		// Two runs linked to the channel; a stray one from a server that
		// ignored the filter is not counted.
		w.Write([]byte(`{"total_count":3,"page_count":1,"has_more":false,"items":[
			{"id":"r1","channel_id":"chan1","last_status_update_at":1764061200123,"current_status":"InProgress"},
			{"id":"r2","channel_id":"chan1","last_status_update_at":1764000000000},
			{"id":"r3","channel_id":"other","last_status_update_at":1799999999999}]}`))
	})
	at, found, err := playbooks.New(srv.URL+"/", secret, srv.Client()).LastStatusUpdate(context.Background(), "chan1")
	if err != nil || !found {
		t.Fatalf("LastStatusUpdate = %v, %v, %v", at, found, err)
	}
	if want := time.UnixMilli(1764061200123); !at.Equal(want) {
		t.Errorf("at = %v, want %v", at, want)
	}
}

func TestLastStatusUpdateNoUpdateYet(t *testing.T) {
	srv := standIn(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"items":[{"id":"r1","channel_id":"chan1","last_status_update_at":0}]}`))
	})
	at, found, err := playbooks.New(srv.URL, secret, nil).LastStatusUpdate(context.Background(), "chan1")
	if err != nil || !found || !at.IsZero() {
		t.Errorf("a run without updates: %v, %v, %v", at, found, err)
	}
}

func TestLastStatusUpdateAbsent(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter, r *http.Request){
		"plugin absent (404)": func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"no run":              func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"total_count":0,"items":[]}`)) },
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := standIn(t, h)
			at, found, err := playbooks.New(srv.URL, secret, srv.Client()).LastStatusUpdate(context.Background(), "chan1")
			if err != nil || found || !at.IsZero() {
				t.Errorf("= %v, %v, %v; want zero, false, nil", at, found, err)
			}
		})
	}
}

func TestLastStatusUpdateSlow(t *testing.T) {
	release := make(chan struct{})
	srv := standIn(t, func(w http.ResponseWriter, r *http.Request) {
		select { // answer only when the client gives up, or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := playbooks.New(srv.URL, secret, srv.Client()).LastStatusUpdate(ctx, "chan1")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, playbooks.ErrUnavailable) {
			t.Errorf("err = %v, want a deadline that is retryable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LastStatusUpdate did not honour its context")
	}
}

func TestLastStatusUpdateErrors(t *testing.T) {
	cases := []struct {
		name      string
		h         func(w http.ResponseWriter, r *http.Request)
		token     string
		retryable bool
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, secret, true},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, secret, true},
		{"bad token", func(w http.ResponseWriter, r *http.Request) {}, "wrong-" + secret, false},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html>`)) }, secret, false},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"items":[` + strings.Repeat(`{"id":"x"},`, 200000) + `{}]}`))
		}, secret, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := standIn(t, c.h)
			_, found, err := playbooks.New(srv.URL, c.token, srv.Client()).LastStatusUpdate(context.Background(), "chan1")
			if err == nil || found {
				t.Fatalf("found %v, err %v; want an error", found, err)
			}
			if errors.Is(err, playbooks.ErrUnavailable) != c.retryable {
				t.Errorf("retryable = %v, want %v (%v)", !c.retryable, c.retryable, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the token leaked into the error: %v", err)
			}
		})
	}
}

func TestUnreachableServerIsRetryableAndHidesCredentials(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close() // nothing listens there any more
	_, _, err := playbooks.New("http://user:"+secret+"@"+addr, secret, nil).LastStatusUpdate(context.Background(), "chan1")
	if !errors.Is(err, playbooks.ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("a credential leaked into the error: %v", err)
	}
}
