package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Tests of the engine contract (engine.go) itself, on both engines.

// TestEmptyValueIsNotAbsent: a key stored with an empty value comes back
// as a non-nil empty slice, from Get and from a cursor, in the writing
// transaction and after it; an absent key is nil.
func TestEmptyValueIsNotAbsent(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		check := func(b kvBucket, when string) {
			t.Helper()
			for _, k := range []string{"nil", "empty"} {
				if v := b.Get([]byte(k)); v == nil || len(v) != 0 {
					t.Errorf("%s: Get(%s) = %#v, want a non-nil empty value", when, k, v)
				}
			}
			if v := b.Get([]byte("absent")); v != nil {
				t.Errorf("%s: Get(absent) = %#v, want nil", when, v)
			}
			if k, v := b.Cursor().Seek([]byte("empty")); string(k) != "empty" || v == nil {
				t.Errorf("%s: Seek(empty) = %q, %#v", when, k, v)
			}
		}
		err := db.eng.update(func(tx kvTx) error {
			b := tx.Bucket(bucketWeekLog)
			if err := b.Put([]byte("nil"), nil); err != nil {
				return err
			}
			if err := b.Put([]byte("empty"), []byte{}); err != nil {
				return err
			}
			check(b, "in the writing transaction")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		db.eng.view(func(tx kvTx) error { check(tx.Bucket(bucketWeekLog), "after it"); return nil })
	})
}

// TestCursorWalksPastBatches: a bucket of more keys than a PostgreSQL
// cursor fetches at once is walked whole, in byte order, both ways and
// from a Seek; a write waiting in the transaction is seen by a walk.
func TestCursorWalksPastBatches(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		const n = 2*cursorBatch + 88
		key := func(i int) string { return fmt.Sprintf("k%04d", i) }
		err := db.eng.update(func(tx kvTx) error {
			b := tx.Bucket(bucketSeen)
			for i := range n {
				if err := b.Put([]byte(key(i)), []byte(key(i))); err != nil {
					return err
				}
			}
			if k, _ := b.Cursor().Last(); string(k) != key(n-1) {
				return fmt.Errorf("a walk in the writing transaction ends at %q, want %s", k, key(n-1))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.eng.view(func(tx kvTx) error {
			b := tx.Bucket(bucketSeen)
			if got := b.KeyN(); got != n {
				t.Errorf("KeyN = %d, want %d", got, n)
			}
			c := b.Cursor()
			walk(t, "First/Next", c, c.First, 0, n, 1, key)
			c = b.Cursor()
			walk(t, "Last/Prev", c, c.Last, n-1, -1, -1, key)
			c = b.Cursor()
			walk(t, "Seek/Next", c, func() ([]byte, []byte) { return c.Seek([]byte("k0300")) }, 300, n, 1, key)
			c = b.Cursor()
			walk(t, "Seek/Prev", c, func() ([]byte, []byte) { return c.Seek([]byte("k0299~")) }, 300, -1, -1, key)
			if k, _ := b.Cursor().Seek([]byte("l")); k != nil {
				t.Errorf("Seek past the last key = %q, want nil", k)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// walk checks that start and then Next (step 1) or Prev (step -1) visit
// keys from..to (exclusive), then nil.
func walk(t *testing.T, name string, c kvCursor, start func() ([]byte, []byte), from, to, step int, key func(int) string) {
	t.Helper()
	move := c.Next
	if step < 0 {
		move = c.Prev
	}
	i := from
	for k, v := start(); k != nil; k, v = move() {
		if i == to || string(k) != key(i) || string(v) != key(i) {
			t.Fatalf("%s: at %d got %q=%q", name, i, k, v)
		}
		i += step
	}
	if i != to {
		t.Fatalf("%s: stopped at %d, want %d", name, i, to)
	}
}

// TestPingCreatedAndClose: a store answers Ping, dates its creation by
// the clock of its first Open only, and refuses writes once closed; a
// second Close is harmless.
func TestPingCreatedAndClose(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t, WithClock(func() time.Time { return t0 }))
		if err := db.Ping(); err != nil {
			t.Fatal(err)
		}
		db = s.reopen(t, db, WithClock(func() time.Time { return t0.Add(time.Hour) }))
		if c, err := db.Created(); err != nil || !c.Equal(t0) {
			t.Errorf("Created = %v, %v; want %v", c, err, t0)
		}
		if db.Driver() != s.driver {
			t.Errorf("Driver = %q, want %q", db.Driver(), s.driver)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("a second Close: %v", err)
		}
		if err := db.Update(t0, func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
			t.Errorf("Update after Close = %v, want ErrClosed", err)
		}
	})
}

// TestFenceOnBoltDoesNothing: bbolt's file lock already admits one
// process, so a fenced bbolt store writes as before.
func TestFenceOnBoltDoesNothing(t *testing.T) {
	db := openTemp(t)
	db.Fence(7)
	if err := db.Update(t0, func(tx *Tx) error { return tx.SetCursor("ch", t0) }); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(db.Path(), "setbot.db") {
		t.Errorf("Path = %q, want the file", db.Path())
	}
}
