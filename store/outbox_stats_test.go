package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestOutboxStatsCountsJobsAndFindsTheOldest(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if s, err := db.OutboxStats(); err != nil || s.Jobs != 0 || !s.Oldest.IsZero() {
			t.Fatalf("empty outbox: stats = %+v, %v; want 0 jobs and no oldest", s, err)
		}
		var ids []uint64
		for i, at := range []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)} {
			err := db.Update(at, func(tx *Tx) error {
				id, err := tx.Enqueue(jobKindTest, "", i, time.Time{})
				ids = append(ids, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if s, err := db.OutboxStats(); err != nil || s.Jobs != 3 || !s.Oldest.Equal(t0) {
			t.Fatalf("stats = %+v, %v; want 3 jobs, oldest queued at %v", s, err, t0)
		}
		// A retried job keeps its place and its age.
		if err := db.RetryJob(ids[0], t0.Add(time.Hour), "down"); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.OutboxStats(); s.Jobs != 3 || !s.Oldest.Equal(t0) {
			t.Fatalf("after a retry: stats = %+v; want 3 jobs, oldest still %v", s, t0)
		}
		if err := db.FinishJob(ids[0], t0, nil); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.OutboxStats(); s.Jobs != 2 || !s.Oldest.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after finishing the oldest: stats = %+v; want 2 jobs, oldest %v", s, t0.Add(time.Minute))
		}
	})
}

func TestOnCommitRunsOnlyAfterACommit(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		ran := 0
		err := db.Update(t0, func(tx *Tx) error {
			tx.OnCommit(func() { ran++ })
			return errors.New("refused")
		})
		if err == nil || ran != 0 {
			t.Fatalf("failed transaction: err = %v, OnCommit ran %d times; want an error and 0", err, ran)
		}
		if err := db.Update(t0, func(tx *Tx) error { tx.OnCommit(func() { ran++ }); return nil }); err != nil {
			t.Fatal(err)
		}
		dup, err := db.Handle("post1", t0, func(tx *Tx) error { tx.OnCommit(func() { ran++ }); return nil })
		if err != nil || dup {
			t.Fatal(dup, err)
		}
		if ran != 2 {
			t.Fatalf("OnCommit ran %d times after two commits; want 2", ran)
		}
	})
}

func BenchmarkOutboxStats(b *testing.B) {
	db, err := Open(b.TempDir() + "/setbot.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Update(t0, func(tx *Tx) error {
		for i := range 1000 {
			if _, err := tx.Enqueue(jobKindTest, "", i, time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.OutboxStats(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRetrySoonMovesOnlyTheWantedWaitingJobs(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		later := now.Add(5 * time.Minute)
		err := db.Update(now, func(tx *Tx) error {
			for _, k := range []string{"file", "post", "file", "ticket-op"} {
				if _, err := tx.Enqueue(k, "", map[string]int{}, later); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.RetrySoon(now, func(k string) bool { return k == "file" || k == "ticket-op" })
		if err != nil || n != 3 {
			t.Fatalf("RetrySoon = %d, %v; want 3", n, err)
		}
		due, err := db.DueJobs(now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, j := range due {
			kinds = append(kinds, j.Kind)
		}
		if strings.Join(kinds, ",") != "file,file,ticket-op" {
			t.Errorf("due now: %v; want the two filings and the ticket op, not the post", kinds)
		}
	})
}
