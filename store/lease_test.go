package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaseLocks selects the granted advisory locks of the lease of the
// connection's schema (tests of other schemas run at the same time; the
// lock's second key, an int4, shows as an unsigned oid).
var leaseLocks = fmt.Sprintf("locktype = 'advisory' AND granted AND classid = %d"+
	" AND objid::bigint = (hashtext(current_schema())::bigint + 4294967296) %% 4294967296", leaseClass)

// leaseHolders counts the sessions holding a lease lock.
func leaseHolders(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE "+leaseLocks).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLeaseOneLeaderAndFencing: of two replicas on one schema, one holds
// the lease; the other takes it once the first's lock connection dies
// (its backend terminated, as a killed leader's socket closes), with the
// next epoch. The old leader's context ends with ErrLeaseLost, and its
// writes fail from then on (ErrFenced), while the new leader's go through.
func TestLeaseOneLeaderAndFencing(t *testing.T) {
	s := pgStore(t)
	dbA, dbB := s.open(t), s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := AcquireLease(ctx, dbA, s.dsn, "replica-a", 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	write := func(db *DB) error {
		return db.Update(time.Now(), func(tx *Tx) error { return tx.SetThread("t", "p1") })
	}
	if err := write(dbA); err != nil {
		t.Fatalf("the leader's write: %v", err)
	}

	got := make(chan *Lease, 1)
	go func() {
		b, err := AcquireLease(ctx, dbB, s.dsn, "replica-b", 20*time.Millisecond, nil)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	// B keeps trying while A holds the lock: A's lock connection is the
	// only one holding it.
	if holders := leaseHolders(t, s.dsn); holders != 1 {
		t.Fatalf("%d advisory locks of the lease are granted, want 1", holders)
	}
	select {
	case <-got:
		t.Fatal("a second replica took the lease while the first held it")
	default:
	}
	pgExec(t, s.dsn, fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE %s", leaseLocks))
	b := <-got
	if b == nil {
		t.FailNow()
	}
	defer b.Release()
	if b.Epoch() != a.Epoch()+1 {
		t.Errorf("the new leader's epoch is %d, want %d", b.Epoch(), a.Epoch()+1)
	}
	<-a.Context().Done()
	if !errors.Is(context.Cause(a.Context()), ErrLeaseLost) {
		t.Errorf("the old lease ended with %v, want ErrLeaseLost", context.Cause(a.Context()))
	}
	if err := write(dbA); !errors.Is(err, ErrFenced) {
		t.Errorf("the old leader's write after the takeover: %v, want ErrFenced", err)
	}
	if err := write(dbB); err != nil {
		t.Errorf("the new leader's write: %v", err)
	}
}

// TestLeaseNeedsPostgres: bbolt has no lease (its file lock admits one
// setbot).
func TestLeaseNeedsPostgres(t *testing.T) {
	db := newTestStore(t, driverBolt).open(t)
	if _, err := AcquireLease(context.Background(), db, "", "x", time.Millisecond, nil); err == nil {
		t.Error("a lease on bbolt was granted")
	}
}
