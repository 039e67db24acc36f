package store

import (
	"testing"
	"time"
)

// TestDueJobsSeeAnotherReplicasRetry: a reader that has cached the
// outbox's jobs sees a job another replica retried (its bytes changed)
// and forgets one another replica finished.
func TestDueJobsSeeAnotherReplicasRetry(t *testing.T) {
	s := pgStore(t)
	a, b := s.open(t), s.open(t)
	var first, second uint64
	err := a.Update(t0, func(tx *Tx) error {
		var err error
		if first, err = tx.Enqueue(jobKindTest, "first", "x", time.Time{}); err != nil {
			return err
		}
		second, err = tx.Enqueue(jobKindTest, "second", "y", time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if jobs, err := a.DueJobs(t0, 10); err != nil || len(jobs) != 2 {
		t.Fatalf("due at first: %+v, %v", jobs, err)
	}
	if err := b.RetryJob(first, t0.Add(time.Hour), "down"); err != nil {
		t.Fatal(err)
	}
	if err := b.FinishJob(second, t0, nil); err != nil {
		t.Fatal(err)
	}
	if jobs, err := a.DueJobs(t0, 10); err != nil || len(jobs) != 0 {
		t.Errorf("due after the other replica retried one and finished the other: %+v, %v; want none", jobs, err)
	}
	jobs, err := a.DueJobs(t0.Add(2*time.Hour), 10)
	if err != nil || len(jobs) != 1 || jobs[0].ID != first || jobs[0].Attempts != 1 || jobs[0].LastError != "down" {
		t.Errorf("due after the retry's time: %+v, %v; want the retried job, as stored", jobs, err)
	}
	a.jobHeads.mu.Lock()
	n := len(a.jobHeads.byID)
	a.jobHeads.mu.Unlock()
	if n != 1 {
		t.Errorf("the cache holds %d jobs after a read of the whole outbox, want 1 (the finished one forgotten)", n)
	}
}
