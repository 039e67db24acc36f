package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The PostgreSQL engine: the same buckets as bbolt's, as rows of
// setbot_kv (pgschema.go), shared by every replica that opens the same
// database. Write transactions are SERIALIZABLE, so that a function that
// reads, decides and writes is as atomic as it is on bbolt's single
// writer; the price is that PostgreSQL may refuse a commit that raced
// another replica's, and update then runs the whole function again.

const (
	// connectTimeout bounds OpenPostgres's connection, migration and
	// first reads, when the DSN sets no connect_timeout of its own.
	connectTimeout = 30 * time.Second
	// txTimeout bounds one transaction: a server that does not answer
	// for that long is gone. A 200 MiB blob takes seconds, not minutes.
	txTimeout = 2 * time.Minute
	// maxAttempts bounds how often update runs a function whose commit
	// keeps conflicting; two replicas that each group their commits
	// rarely need a third attempt.
	maxAttempts = 12
	// retryBase and retryCap shape the jittered backoff between attempts.
	retryBase = 2 * time.Millisecond
	retryCap  = 200 * time.Millisecond
)

// pgEngine is a store in a PostgreSQL database. Safe for concurrent use.
type pgEngine struct {
	pool     *pgxpool.Pool
	where    string // describe: the server and database, no credentials
	localDir string // TempDir and the blob cache
	ownDir   bool   // localDir was made by openPG; close removes it
	epoch    atomic.Int64
	retries  atomic.Int64 // attempts run again after a conflict, for tests
}

var _ engine = (*pgEngine)(nil)

// OpenPostgres opens the store in the PostgreSQL database dsn names:
// it connects, creates or migrates setbot's tables (pgschema.go), refuses
// a schema newer than this build knows, and initialises the store as Open
// does. Errors never carry the DSN or its password. WithLocalDir sets the
// local directory for TempDir and the blob cache.
func OpenPostgres(dsn string, opts ...Option) (*DB, error) {
	o := newOptions(opts)
	e, err := openPG(dsn, o.localDir)
	if err != nil {
		return nil, err
	}
	return start(e, o)
}

// openPG connects and migrates; its errors are scrubbed of the DSN.
func openPG(dsn, localDir string) (*pgEngine, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parse error quotes the DSN: say what is wrong in general.
		return nil, errors.New("open postgres store: the DSN does not parse; want postgres://user:password@host:port/database?sslmode=…")
	}
	c := cfg.ConnConfig
	e := &pgEngine{where: fmt.Sprintf("postgres://%s:%d/%s", c.Host, c.Port, c.Database)}
	secrets := []string{dsn, c.Password}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if e.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, scrub(fmt.Errorf("open postgres store %s: %w", e.where, err), secrets)
	}
	if err := migrate(ctx, e.pool); err != nil {
		e.pool.Close()
		return nil, scrub(fmt.Errorf("open postgres store %s: %w", e.where, err), secrets)
	}
	if e.localDir, e.ownDir, err = makeLocalDir(localDir); err != nil {
		e.pool.Close()
		return nil, err
	}
	return e, nil
}

// makeLocalDir creates dir, or a fresh temporary directory when dir is "".
func makeLocalDir(dir string) (string, bool, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "setbot-store-*")
		if err != nil {
			return "", false, fmt.Errorf("create local store directory: %w", err)
		}
		return d, true, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("create local store directory: %w", err)
	}
	return dir, false, nil
}

// scrubbed is an error whose message had credentials taken out; it still
// unwraps to the original, so errors.Is and errors.As work.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// scrub replaces every secret in err's message.
func scrub(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return &scrubbed{msg: msg, err: err}
}

func (e *pgEngine) fence(epoch int64)    { e.epoch.Store(epoch) }
func (e *pgEngine) driver() string       { return driverPostgres }
func (e *pgEngine) describe() string     { return e.where }
func (e *pgEngine) tempDir() string      { return filepath.Join(e.localDir, "tmp") }
func (e *pgEngine) blobCacheDir() string { return filepath.Join(e.localDir, "blobs") }

// close closes the pool (waiting for transactions to end) and removes a
// local directory openPG made.
func (e *pgEngine) close() error {
	e.pool.Close()
	if e.ownDir {
		return os.RemoveAll(e.localDir)
	}
	return nil
}

// update runs fn in a SERIALIZABLE transaction. A serialization failure
// or a deadlock, whether of a read, a write or the commit, runs fn again
// in a new transaction after a jittered backoff, up to maxAttempts; every
// other error (ErrFenced included) is returned at once.
func (e *pgEngine) update(fn func(kvTx) error) error {
	for attempt := 1; ; attempt++ {
		err := e.run(pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite}, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("postgres store: gave up after %d conflicting attempts: %w", attempt, err)
		}
		e.retries.Add(1)
		time.Sleep(rand.N(min(retryCap, retryBase<<attempt)))
	}
}

// view runs fn in a REPEATABLE READ READ ONLY transaction: one snapshot,
// which never has to be retried.
func (e *pgEngine) view(fn func(kvTx) error) error {
	return e.run(pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// retryable reports whether err is a conflict that running the
// transaction again resolves: 40001 serialization_failure, 40P01
// deadlock_detected.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// run is one attempt of a transaction. A write checks the fence first,
// and writes its buffered changes before committing.
func (e *pgEngine) run(opts pgx.TxOptions, fn func(kvTx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	ptx, err := e.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres store: begin: %w", err)
	}
	defer ptx.Rollback(ctx) // after a commit it does nothing
	write := opts.AccessMode == pgx.ReadWrite
	if write {
		if err := e.checkFence(ctx, ptx); err != nil {
			return err
		}
	}
	t := newPGTx(ctx, e, ptx, write)
	ferr := fn(t)
	if t.failed != nil {
		return t.failed
	}
	if ferr != nil || !write {
		return ferr
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres store: commit: %w", err)
	}
	return nil
}

// checkFence fails with ErrFenced when Fence was called and the leader
// lease has moved to another epoch since. It reads the lease in the
// write's own transaction FOR SHARE: a lease taken while the write runs
// (an UPDATE of the row) waits until the write has committed or rolled
// back, so once the new epoch is committed no write of the old leader
// can commit after it; one that read the old epoch and comes later
// conflicts, and its retry sees the new epoch.
func (e *pgEngine) checkFence(ctx context.Context, tx pgx.Tx) error {
	want := e.epoch.Load()
	if want <= 0 {
		return nil
	}
	var got int64
	err := tx.QueryRow(ctx, `SELECT epoch FROM setbot_lease WHERE id = 1 FOR SHARE`).Scan(&got)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres store: read the leader lease: %w", err)
	}
	if got != want {
		return fmt.Errorf("%w (the lease is at epoch %d, this process holds %d)", ErrFenced, got, want)
	}
	return nil
}

// sizeBytes is the size on disk of setbot's tables, indexes and TOAST
// included: the records, sequences and blob chunks.
func (e *pgEngine) sizeBytes() (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	var n int64
	err := e.pool.QueryRow(ctx, `SELECT pg_total_relation_size('setbot_kv') + pg_total_relation_size('setbot_seq')
		+ pg_total_relation_size('setbot_blob_chunks')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres store: size: %w", err)
	}
	return n, nil
}
