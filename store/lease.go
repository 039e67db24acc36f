package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The leader lease (issue 18): replicas sharing a PostgreSQL store elect
// one leader, the only one that listens, runs the timers and posts. The
// lease is a session-level advisory lock held on a connection of its own:
// PostgreSQL releases it the moment that session ends (a killed leader's
// socket closes), and a follower trying every second takes it then. Each
// new leader bumps the epoch in setbot_lease and fences its store with it
// (DB.Fence): once another replica has taken over, a write of the old
// leader fails in its own transaction, even one begun before it noticed.

// leaseClass is the first key of the advisory lock; the second is a hash
// of the schema, so that stores in other schemas of one database (tests)
// have leases of their own.
const leaseClass = 0x5e7b07

// leaseCheckEvery is how often the leader makes sure its lock connection
// is still there; leaseCheckBound bounds one check.
const (
	leaseCheckEvery = time.Second
	leaseCheckBound = 3 * time.Second
)

// ErrLeaseLost is the cause of a Lease's context once its lock connection
// failed: another replica may lead now.
var ErrLeaseLost = errors.New("the leader lease was lost (its database connection failed)")

// Lease is a held leader lease. Its goroutine watches the lock connection
// until Release.
type Lease struct {
	conn   *pgx.Conn
	epoch  int64
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
	once   sync.Once
}

// Epoch is this leadership's number: one more than the leader before.
func (l *Lease) Epoch() int64 { return l.epoch }

// Context ends, with cause ErrLeaseLost, when the lease is lost; it also
// ends at Release.
func (l *Lease) Context() context.Context { return l.ctx }

// AcquireLease waits until this replica holds the leader lease of the
// PostgreSQL store db (opened with OpenPostgres from dsn), trying every
// `every`, then fences db with the new epoch. holder names this replica in
// setbot_lease. It returns ctx's error when ctx ends first. Database
// errors while waiting are retried (a follower outlives a database
// restart) and passed to failed, which may be nil.
func AcquireLease(ctx context.Context, db *DB, dsn, holder string, every time.Duration, failed func(error)) (*Lease, error) {
	if db.Driver() != "postgres" {
		return nil, errors.New("a leader lease needs the postgres store")
	}
	for {
		l, err := tryLease(ctx, dsn, holder)
		if l != nil {
			db.Fence(l.epoch)
			go l.watch()
			return l, nil
		}
		if err != nil && failed != nil && ctx.Err() == nil {
			failed(err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(every):
		}
	}
}

// tryLease makes one attempt: nil, nil when another replica holds the
// lock. Its errors never carry the DSN.
func tryLease(ctx context.Context, dsn, holder string) (*Lease, error) {
	cctx, cancel := context.WithTimeout(ctx, leaseCheckBound)
	defer cancel()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("the store's DSN cannot be parsed")
	}
	// Operators see who holds the lease in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = leaseApplication(holder)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, errors.New("connect for the leader lease failed")
	}
	var got bool
	err = conn.QueryRow(cctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, leaseClass).Scan(&got)
	if err != nil || !got {
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("try the leader lease: %w", err)
		}
		return nil, nil
	}
	var epoch int64
	err = conn.QueryRow(cctx, `UPDATE setbot_lease SET epoch = epoch + 1, holder = $1, since = now() WHERE id = 1 RETURNING epoch`,
		holder).Scan(&epoch)
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("take the leader lease: %w", err)
	}
	lctx, lcancel := context.WithCancelCause(context.Background())
	return &Lease{conn: conn, epoch: epoch, ctx: lctx, cancel: lcancel, done: make(chan struct{})}, nil
}

// leaseApplication is the application_name of a lease connection:
// "setbot lease <holder>", within PostgreSQL's 63 bytes.
func leaseApplication(holder string) string {
	name := "setbot lease " + holder
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}

// watch checks the lock connection every leaseCheckEvery until Release;
// the first failure ends the lease's context with ErrLeaseLost.
func (l *Lease) watch() {
	defer close(l.done)
	t := time.NewTicker(leaseCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(l.ctx, leaseCheckBound)
		err := l.conn.Ping(cctx)
		cancel()
		if err != nil && l.ctx.Err() == nil {
			l.cancel(ErrLeaseLost)
			return
		}
	}
}

// Release gives the lease up: the lock goes with its connection.
func (l *Lease) Release() {
	l.once.Do(func() {
		l.cancel(context.Canceled)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), leaseCheckBound)
		defer cancel()
		l.conn.Close(ctx)
	})
}
