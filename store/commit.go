package store

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Group commits (issue 17): bbolt has one writer, and each commit ends in
// an fsync (on PostgreSQL, a round trip and the server's WAL flush).
// Handle and Update hand their function to one committer goroutine, which
// runs every function waiting at that moment in one transaction: one
// commit for all of them. Nobody waits for others to
// arrive (a lone answer commits at once, as before); only functions that
// queued while a commit was on the disk share the next one. Each function
// sees the writes of the ones before it, as if they had run one after
// another. A function that fails fails alone: the others run again
// without it.

// maxGroup bounds one group commit: enough to absorb a burst, few enough
// that one transaction stays small.
const maxGroup = 256

// ErrClosed is returned by writes to a closed store.
var ErrClosed = errors.New("the store is closed")

// commitReq is one function waiting for a group commit.
type commitReq struct {
	now   time.Time
	fn    func(*Tx) error
	hooks []func() // its Tx.OnCommit functions, run by the caller after the commit
	done  chan error
}

// committer owns the goroutine that makes group commits. Safe for
// concurrent use.
type committer struct {
	groups  atomic.Int64 // group commits made, for tests and benchmarks
	reqs    chan *commitReq
	mu      sync.RWMutex // writers hold it shared while they wait; Close takes it
	closed  bool
	writers sync.WaitGroup
	stop    chan struct{}
	stopped chan struct{}
}

func newCommitter() *committer {
	return &committer{reqs: make(chan *commitReq, maxGroup), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// write runs fn in a group commit and, once committed, its OnCommit
// functions, in the caller's goroutine (they may use the store).
func (db *DB) write(now time.Time, fn func(*Tx) error) error {
	c := db.commits
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	c.writers.Add(1)
	c.mu.RUnlock()
	defer c.writers.Done()
	req := &commitReq{now: now, fn: fn, done: make(chan error, 1)}
	c.reqs <- req
	if err := <-req.done; err != nil {
		return err
	}
	for _, h := range req.hooks {
		h()
	}
	return nil
}

// run makes group commits until close: each takes the first waiting
// function and every other one already waiting.
func (db *DB) runCommits() {
	c := db.commits
	defer close(c.stopped)
	batch := make([]*commitReq, 0, maxGroup)
	for {
		select {
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		case <-c.stop:
			return
		}
	gather:
		for len(batch) < maxGroup {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		db.commitGroup(batch)
	}
}

// commitGroup commits batch in one transaction; a function that fails is
// run alone for its own answer, and the rest again without it. A failure
// of the transaction itself (the commit, a poisoned read, ErrFenced) is
// everyone's.
func (db *DB) commitGroup(batch []*commitReq) {
	for len(batch) > 0 {
		failed := -1
		err := db.eng.update(func(btx kvTx) error {
			failed = -1 // the engine may run this again
			for i, r := range batch {
				r.hooks = nil
				tx := &Tx{tx: btx, now: r.now, db: db}
				if err := r.fn(tx); err != nil {
					if btx.err() == nil {
						failed = i
					}
					return err
				}
				r.hooks = tx.hooks
			}
			return nil
		})
		c := db.commits
		switch {
		case err == nil:
			c.groups.Add(1)
			for _, r := range batch {
				r.done <- nil
			}
			return
		case failed < 0: // the transaction itself failed: it failed for everyone
			for _, r := range batch {
				r.hooks = nil
				r.done <- err
			}
			return
		}
		alone := batch[failed]
		batch = append(batch[:failed:failed], batch[failed+1:]...)
		db.commitAlone(alone)
	}
}

// commitAlone runs r in a transaction of its own and answers it.
func (db *DB) commitAlone(r *commitReq) {
	err := db.eng.update(func(btx kvTx) error {
		r.hooks = nil
		tx := &Tx{tx: btx, now: r.now, db: db}
		if err := r.fn(tx); err != nil {
			return err
		}
		r.hooks = tx.hooks
		return nil
	})
	if err != nil {
		r.hooks = nil
	}
	r.done <- err
}

// closeCommits lets every waiting write finish, then stops the committer.
func (c *committer) close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return
	}
	c.writers.Wait()
	close(c.stop)
	<-c.stopped
}
