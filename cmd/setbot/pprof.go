package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/rs/zerolog"
)

// Profiling a running setbot ([http] pprof_listen): Go's /debug/pprof on a
// listener of its own, loopback only (profiles show the program's
// insides; reach it with an SSH tunnel or kubectl port-forward), off by
// default. With it on, block and mutex events are sampled too, at rates
// that cost little.
const (
	blockProfileRate     = 10_000 // ns: a blocking event of 10 µs or more is sampled
	mutexProfileFraction = 100    // one contention event in 100
)

// checkLoopback accepts "" (off) or a loopback host:port.
func checkLoopback(key, addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %q is not host:port", key, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s: %q must be a loopback address (127.0.0.1, ::1 or localhost): profiles show the program's insides", key, addr)
	}
	return nil
}

// servePprof serves /debug/pprof on addr until ctx ends; "" serves
// nothing. It returns the address listened on, and a function that waits
// for the server to stop once ctx has ended.
func servePprof(ctx context.Context, log zerolog.Logger, addr string) (listening string, wait func(), err error) {
	if addr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("http.pprof_listen: cannot listen on %s: %w", addr, err)
	}
	runtime.SetBlockProfileRate(blockProfileRate)
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("pprof server stopped")
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownBound)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info().Str("addr", ln.Addr().String()).Msg("serving /debug/pprof (loopback only)")
	return ln.Addr().String(), func() { <-done }, nil
}
