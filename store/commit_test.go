package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var commitNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// hold starts a write whose function waits until release is closed, and
// returns once that function is running: writes made meanwhile queue up
// for the next group commit.
func hold(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, done, running := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- db.Update(commitNow, func(tx *Tx) error {
			close(running)
			<-release
			return tx.tx.Bucket(bucketMeta).Put([]byte("held"), []byte("1"))
		})
	}()
	<-running
	return release, done
}

// TestWritesWaitingTogetherShareOneCommit: 49 writes that queue while a
// commit is under way are all made by the next one, and each runs its own
// OnCommit functions after it.
func TestWritesWaitingTogetherShareOneCommit(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		release, held := hold(t, db)
		before := db.commits.groups.Load()
		const n = 49
		var hooks atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Update(commitNow, func(tx *Tx) error {
					tx.OnCommit(func() { hooks.Add(1) })
					return tx.tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "k%d", i), []byte("v"))
				})
			}()
		}
		for len(db.commits.reqs) < n { // every write is waiting; this only polls a queue
			time.Sleep(time.Millisecond)
		}
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		if got := db.commits.groups.Load() - before; got != 2 {
			t.Errorf("%d commits for the held write and %d waiting ones, want 2", got, n)
		}
		if hooks.Load() != n {
			t.Errorf("%d OnCommit functions ran, want %d", hooks.Load(), n)
		}
		for i := range n {
			if v, _ := db.meta(fmt.Sprintf("k%d", i)); v == "" {
				t.Errorf("k%d was not written", i)
			}
		}
	})
}

// TestAFailingWriteFailsAlone: in a group, the write that fails gets its
// error and leaves nothing behind; the others are committed and run their
// OnCommit functions; the failed one's do not run.
func TestAFailingWriteFailsAlone(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		release, held := hold(t, db)
		boom := errors.New("boom")
		var ran sync.Map
		results := make(chan error, 3)
		for _, name := range []string{"a", "bad", "c"} {
			go func() {
				results <- db.Update(commitNow, func(tx *Tx) error {
					tx.OnCommit(func() { ran.Store(name, true) })
					if err := tx.tx.Bucket(bucketMeta).Put([]byte("w-"+name), []byte("v")); err != nil {
						return err
					}
					if name == "bad" {
						return boom
					}
					return nil
				})
			}()
		}
		for len(db.commits.reqs) < 3 {
			time.Sleep(time.Millisecond)
		}
		close(release)
		var failed, ok int
		for range 3 {
			switch err := <-results; {
			case errors.Is(err, boom):
				failed++
			case err == nil:
				ok++
			default:
				t.Fatal(err)
			}
		}
		<-held
		if failed != 1 || ok != 2 {
			t.Fatalf("%d failed, %d committed; want 1 and 2", failed, ok)
		}
		for name, want := range map[string]bool{"a": true, "bad": false, "c": true} {
			v, _ := db.meta("w-" + name)
			_, hooked := ran.Load(name)
			if (v != "") != want || hooked != want {
				t.Errorf("%s: written %v, OnCommit ran %v; want %v", name, v != "", hooked, want)
			}
		}
	})
}

// TestCloseLetsWaitingWritesFinish: writes already waiting when Close is
// called are committed; writes after it get ErrClosed.
func TestCloseLetsWaitingWritesFinish(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		release, held := hold(t, db)
		waiting := make(chan error, 1)
		go func() {
			waiting <- db.Update(commitNow, func(tx *Tx) error { return tx.tx.Bucket(bucketMeta).Put([]byte("late"), []byte("v")) })
		}()
		for len(db.commits.reqs) < 1 {
			time.Sleep(time.Millisecond)
		}
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		if err := <-waiting; err != nil {
			t.Fatalf("a write waiting at Close: %v", err)
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		if err := db.Update(commitNow, func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("a write after Close: %v, want ErrClosed", err)
		}
	})
}

// meta reads a key of the meta bucket ("" when absent).
func (db *DB) meta(key string) (string, error) {
	var v string
	err := db.eng.view(func(tx kvTx) error {
		v = string(tx.Bucket(bucketMeta).Get([]byte(key)))
		return nil
	})
	return v, err
}
