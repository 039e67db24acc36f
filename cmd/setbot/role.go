package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot/store"
)

// Replicas (issue 18): on the postgres store, several setbots share one
// store and exactly one leads: it holds the websocket, runs the timers and
// the outbox. The others follow: they serve /healthz, /readyz, /metrics
// and button clicks (a click commits to the shared store; the leader's
// outbox posts what it queued) and try for the lease every second. On
// bbolt the file lock already allows one setbot, which always leads.

// leaseEvery is how often a follower tries for the lease.
const leaseEvery = time.Second

// role is whether this replica leads; safe for concurrent use. shared
// (set before use) says that replicas share the store: then every
// replica whose store answers is ready for a load balancer's clicks,
// leader or not.
type role struct {
	leading atomic.Bool
	shared  bool
}

func (r *role) Leading() bool { return r.leading.Load() }

func (r *role) String() string {
	if r.Leading() {
		return "leader"
	}
	return "follower"
}

// errLeaseLost ends Run when another replica may have taken over: this one
// stops, and its supervisor starts it again as a follower.
var errLeaseLost = errors.New("lost the leader lease (the database connection that held it failed); stopped so that only the new leader works")

// lead returns once this replica leads, with the context its leader work
// runs in: it ends with ctx, or as soon as the lease is lost (the store's
// fence has already made every later write fail). ok is false when ctx
// ended first. release gives the lease up.
func (m *Main) lead(ctx context.Context, log zerolog.Logger, db *store.DB, dsn string, r *role) (lctx context.Context, release func(), ok bool) {
	if db.Driver() != driverPostgres {
		r.leading.Store(true)
		return ctx, func() {}, true
	}
	log.Info().Msg("following: waiting for the leader lease")
	var warned time.Time
	failed := func(err error) {
		if now := m.Now(); now.Sub(warned) >= time.Minute { // at most one warning a minute
			warned = now
			log.Warn().Str("error", err.Error()).Msg("the leader lease cannot be tried; retrying every second")
		}
	}
	lease, err := store.AcquireLease(ctx, db, dsn, holderName(), leaseEvery, failed)
	if err != nil {
		return nil, nil, false
	}
	r.leading.Store(true)
	log.Info().Int64("epoch", lease.Epoch()).Msg("leading")
	lctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(lease.Context(), func() { cancel(context.Cause(lease.Context())) })
	return lctx, func() {
		stop()
		lease.Release()
		cancel(context.Canceled)
		r.leading.Store(false)
	}, true
}

// holderName names this replica in the lease row and in the lease
// connection's application_name: "<pid>@<host>", the process first, so a
// long host name cut to fit still names it.
func holderName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}
