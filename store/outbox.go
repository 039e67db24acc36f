package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// Job is a piece of work with an outside effect (a post, a Jira call) that
// was decided inside a transaction and runs after it commits. Jobs survive
// restarts and run at least once; their handlers make them idempotent.
type Job struct {
	ID        uint64          `json:"id"`
	Kind      string          `json:"kind"`
	Key       string          `json:"key,omitempty"` // idempotency key for the outside call
	Payload   json.RawMessage `json:"payload"`
	Attempts  int             `json:"attempts"`
	NotBefore time.Time       `json:"not_before"`
	Created   time.Time       `json:"created"`
	LastError string          `json:"last_error,omitempty"`
}

// Enqueue adds a job whose payload is v encoded as JSON. It runs no earlier
// than notBefore (zero: at once). It returns the job's id.
func (tx *Tx) Enqueue(kind, key string, v any, notBefore time.Time) (uint64, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encode %s job: %w", kind, err)
	}
	b := tx.tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	j := Job{ID: seq, Kind: kind, Key: key, Payload: payload, NotBefore: notBefore, Created: tx.now}
	return seq, putJob(b, j)
}

func putJob(b kvBucket, j Job) error {
	v, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return b.Put(u64(j.ID), v)
}

// DueJobs returns up to limit jobs whose time has come, oldest first.
func (db *DB) DueJobs(now time.Time, limit int) ([]Job, error) {
	return db.DueJobsOf(now, limit, nil)
}

// DueJobsOf is DueJobs for the kinds want accepts (nil: every kind), so that
// many due jobs of one kind never hide the others.
func (db *DB) DueJobsOf(now time.Time, limit int, want func(kind string) bool) ([]Job, error) {
	var jobs []Job
	err := db.eng.view(func(tx kvTx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		var j storedJob
		heads := db.jobHeads.begin()
		defer heads.end()
		k, v := c.First()
		for ; k != nil && len(jobs) < limit; k, v = c.Next() {
			id := binary.BigEndian.Uint64(k)
			h, decoded, err := heads.head(id, v, &j)
			if err != nil {
				return fmt.Errorf("decode job %d: %w", id, err)
			}
			if h.notBefore.After(now) || want != nil && !want(h.kind) {
				continue
			}
			if !decoded {
				if err := j.decode(v); err != nil {
					return fmt.Errorf("decode job %d: %w", id, err)
				}
			}
			jobs = append(jobs, j.job())
		}
		heads.walked(k == nil) // every job seen: forget the ones gone
		return nil
	})
	return jobs, err
}

// storedJob is a stored job decoded but for its payload, which is copied
// into a buffer that one storedJob reuses from job to job. The dispatcher
// reads the outbox on every pass and most of its jobs are not due: a
// payload of their own for each (about 1 KB for a post) would be most of
// what a read allocates, for jobs it then drops (issue 17; see
// BenchmarkOutboxReads). encoding/json still scans every payload, to tell
// a job that cannot be read.
type storedJob struct {
	Job
	Payload payloadBuf `json:"payload"` // hides Job.Payload, being shallower
}

// payloadBuf is a JSON value as bytes, decoded into the slice's own
// array while it is big enough.
type payloadBuf []byte

func (p *payloadBuf) UnmarshalJSON(b []byte) error {
	*p = append((*p)[:0], b...)
	return nil
}

// decode decodes v, a stored job, over what j held. Its error is the one
// decoding v into a Job gives, so that a job that cannot be read reads
// the same whichever way it is read.
func (j *storedJob) decode(v []byte) error {
	*j = storedJob{Payload: j.Payload[:0]}
	err := json.Unmarshal(v, j)
	if err != nil {
		var full Job
		if fullErr := json.Unmarshal(v, &full); fullErr != nil {
			return fullErr
		}
	}
	return err
}

// job returns the job with a payload of its own.
func (j *storedJob) job() Job {
	out := j.Job
	out.Payload = append(json.RawMessage(nil), j.Payload...)
	return out
}

// FinishJob removes a job that ran, and runs fn (may be nil) in the same
// transaction so the job's outcome is recorded atomically with its removal.
// On PostgreSQL fn may run more than once (a serialization failure is
// retried): it must depend only on the transaction.
func (db *DB) FinishJob(id uint64, now time.Time, fn func(*Tx) error) error {
	var hooks []func()
	err := db.eng.update(func(btx kvTx) error {
		hooks = nil
		if fn != nil {
			tx := &Tx{tx: btx, now: now, db: db}
			if err := fn(tx); err != nil {
				return err
			}
			hooks = tx.hooks
		}
		return btx.Bucket(bucketOutbox).Delete(u64(id))
	})
	if err != nil {
		return err
	}
	for _, h := range hooks {
		h()
	}
	return nil
}

// QuarantineJob moves a job that failed for good out of the outbox into
// the dead letters, with why, so that it runs no more and is kept for
// whoever looks into it.
func (db *DB) QuarantineJob(id uint64, reason string) error {
	return db.failedJob(id, reason, func(tx kvTx, j Job) error {
		if err := putJob(tx.Bucket(bucketDeadLetters), j); err != nil {
			return err
		}
		return tx.Bucket(bucketOutbox).Delete(u64(id))
	})
}

// failedJob records a failed attempt of job id, with why, and hands the
// job to then in the same transaction; a job no longer in the outbox is
// left alone.
func (db *DB) failedJob(id uint64, reason string, then func(kvTx, Job) error) error {
	return db.eng.update(func(tx kvTx) error {
		v := tx.Bucket(bucketOutbox).Get(u64(id))
		if v == nil {
			return nil
		}
		var j Job
		if err := json.Unmarshal(v, &j); err != nil {
			return err
		}
		j.Attempts++
		j.LastError = reason
		return then(tx, j)
	})
}

// DeadLetters counts the quarantined jobs, for monitoring.
func (db *DB) DeadLetters() (int, error) {
	n := 0
	err := db.eng.view(func(tx kvTx) error {
		n = tx.Bucket(bucketDeadLetters).KeyN()
		return nil
	})
	return n, err
}

// RetryJob records a failed attempt and schedules the next one at at.
func (db *DB) RetryJob(id uint64, at time.Time, reason string) error {
	return db.failedJob(id, reason, func(tx kvTx, j Job) error {
		j.NotBefore = at
		return putJob(tx.Bucket(bucketOutbox), j)
	})
}

// RetrySoon brings the waiting jobs of the kinds want selects forward to
// now (an outside system is back: they need not wait out their backoff).
// It returns how many it moved.
func (db *DB) RetrySoon(now time.Time, want func(kind string) bool) (n int, err error) {
	err = db.eng.update(func(tx kvTx) error {
		b := tx.Bucket(bucketOutbox)
		var moved []Job
		err := b.ForEach(func(_, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return err
			}
			if want(j.Kind) && j.NotBefore.After(now) {
				j.NotBefore = now
				moved = append(moved, j)
			}
			return nil
		})
		for _, j := range moved { // written after the walk: bbolt cursors and writes do not mix
			if err == nil {
				err = putJob(b, j)
			}
		}
		n = len(moved)
		return err
	})
	return n, err
}

// OutboxStats is how full the outbox is, for monitoring.
type OutboxStats struct {
	Jobs   int       // jobs waiting, due or not
	Oldest time.Time // when the oldest waiting job was queued; zero when none
}

// OutboxStats counts the waiting jobs and finds the oldest one. It decodes
// no job but the first (ids grow with time, so the first is the oldest); the
// count walks the bucket's pages, not its values.
func (db *DB) OutboxStats() (OutboxStats, error) {
	var s OutboxStats
	err := db.eng.view(func(tx kvTx) error {
		b := tx.Bucket(bucketOutbox)
		s.Jobs = b.KeyN()
		_, v := b.Cursor().First()
		if v == nil {
			return nil
		}
		var j struct {
			Created time.Time `json:"created"`
		}
		if err := json.Unmarshal(v, &j); err != nil {
			return fmt.Errorf("decode oldest job: %w", err)
		}
		s.Oldest = j.Created
		return nil
	})
	return s, err
}
