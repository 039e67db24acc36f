package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// switchHandler serves whichever handler was set last: the starting routes
// while setbot connects, then the full ones. Safe for concurrent use.
type switchHandler struct{ h atomic.Pointer[http.Handler] }

func (s *switchHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// startingRoutes answer while setbot is still reaching Mattermost: alive,
// not ready, and nothing else yet.
func startingRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok (starting)")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "starting: connecting to Mattermost", http.StatusServiceUnavailable)
	})
	return mux
}
