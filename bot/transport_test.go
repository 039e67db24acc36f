package bot

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestTransportKeepsConnectionsForConcurrentRequests: after 8 requests at
// once, the next 8 at once reuse their connections instead of opening new
// ones (Go's default transport keeps 2, and reopened the other 6 every time).
func TestTransportKeepsConnectionsForConcurrentRequests(t *testing.T) {
	const parallel = 8
	var opened atomic.Int64
	var inFlight sync.WaitGroup
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		inFlight.Done()
		<-release // hold every request until all of them are in: one connection each
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hc := &http.Client{Transport: newTransport()}
	wave := func() {
		t.Helper()
		inFlight.Add(parallel)
		release = make(chan struct{})
		var wg sync.WaitGroup
		for range parallel {
			wg.Go(func() {
				resp, err := hc.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			})
		}
		inFlight.Wait()
		close(release)
		wg.Wait()
	}
	wave()
	first := opened.Load()
	wave()
	if again := opened.Load() - first; again != 0 {
		t.Errorf("the second %d requests opened %d new connections; want them to reuse the first %d", parallel, again, first)
	}
}
