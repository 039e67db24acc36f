package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

// TestDueJobsReadsEveryFieldAndRefusesWhatAJobCannotBe: a due job comes
// back with every field as stored, its payload its own; a stored job that
// does not decode as a Job stops DueJobsOf with the error
// decoding it as a Job gives, due or not, malformed JSON or a field of the
// wrong type.
func TestDueJobsReadsEveryFieldAndRefusesWhatAJobCannotBe(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		var id uint64
		err := db.Update(t0, func(tx *Tx) (err error) {
			id, err = tx.Enqueue("post", "post:1", map[string]string{"message": "hi"}, time.Time{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RetryJob(id, t0, "down"); err != nil {
			t.Fatal(err)
		}
		var stored []byte
		err = db.eng.view(func(tx kvTx) error {
			stored = append(stored, tx.Bucket(bucketOutbox).Get(u64(id))...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want Job
		if err := json.Unmarshal(stored, &want); err != nil {
			t.Fatal(err)
		}
		jobs, err := db.DueJobsOf(t0, 10, func(kind string) bool { return kind == "post" })
		if err != nil || len(jobs) != 1 || !reflect.DeepEqual(jobs[0], want) {
			t.Fatalf("DueJobsOf = %+v, %v; want %+v", jobs, err, want)
		}
		if want.Attempts != 1 || want.LastError != "down" || want.Key != "post:1" || string(want.Payload) != `{"message":"hi"}` {
			t.Fatalf("stored job %+v lacks a field this test means to check", want)
		}

		for _, bad := range []string{
			`{"id":9,"kind":"post","payload":{"message":"hi"`,                              // cut short
			`{"id":9,"kind":"post","attempts":"many","not_before":"2099-01-01T00:00:00Z"}`, // not due, a field of the wrong type
			`{"id":9,"kind":7,"payload":null}`,                                             // kind of the wrong type
		} {
			err := db.eng.update(func(tx kvTx) error { return tx.Bucket(bucketOutbox).Put(u64(9), []byte(bad)) })
			if err != nil {
				t.Fatal(err)
			}
			wantErr := json.Unmarshal([]byte(bad), new(Job))
			if wantErr == nil {
				t.Fatalf("%s decodes as a Job", bad)
			}
			if _, err := db.DueJobsOf(t0, 10, nil); fmt.Sprint(err) != fmt.Sprintf("decode job 9: %v", wantErr) {
				t.Errorf("DueJobsOf with %s stored: %v; want %v", bad, err, wantErr)
			}
		}
	})
}
