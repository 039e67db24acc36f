package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// durableWriters is how many people write at once in the durable-write
// benchmarks, by the issue that asked for them.
const durableWriters = 50

// BenchmarkDurableWrites50 compares, in one run, raw bbolt's Batch and
// setbot's group-committed Update, each with 50 writers putting a value
// the size of an intake answer's state (about 2 KB) with a durable commit.
// Issue 17's goal: Update at least 90% of Batch's writes/s. The same
// Update on PostgreSQL (SETBOT_STORE_TEST_DSN; skipped without it) shows
// what a group commit costs there.
func BenchmarkDurableWrites50(b *testing.B) {
	value := make([]byte, 2048)
	b.Run("bbolt-batch", func(b *testing.B) {
		bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer bdb.Close()
		if err := bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
			b.Fatal(err)
		}
		writes50(b, func(key []byte) error {
			return bdb.Batch(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(key, value) })
		})
	})
	b.Run("setbot-update", func(b *testing.B) {
		db, err := Open(filepath.Join(b.TempDir(), "setbot.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		writes50(b, func(key []byte) error {
			return db.Update(commitNow, func(tx *Tx) error { return tx.tx.Bucket(bucketConversations).Put(key, value) })
		})
	})
	b.Run("setbot-update-postgres", func(b *testing.B) {
		db := pgStore(b).open(b)
		writes50(b, func(key []byte) error {
			return db.Update(commitNow, func(tx *Tx) error { return tx.tx.Bucket(bucketConversations).Put(key, value) })
		})
	})
}

// writes50 runs b.N writes from durableWriters goroutines and reports
// writes/s.
func writes50(b *testing.B, write func(key []byte) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	b.ResetTimer()
	for w := range durableWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				if err := write(fmt.Appendf(nil, "w%d-%d", w, n)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}
