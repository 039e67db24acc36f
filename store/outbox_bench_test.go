package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// queueJobs queues n jobs of mixed kinds, each with a payload of about
// 1 KB (a post's text); one in every 101 is due at now, the others wait
// from a minute to a day, as retried and scheduled jobs do.
func queueJobs(tb testing.TB, db *DB, n int, now time.Time) {
	tb.Helper()
	kinds := []string{"post", "file", "ticket-op", "comment", "dm"}
	text := strings.Repeat("The checkout service fails for \"some\" customers.\n", 20)
	err := db.Update(now, func(tx *Tx) error {
		for i := range n {
			at := now.Add(time.Duration(1+i%1440) * time.Minute)
			if i%101 == 0 { // 101: the due ones are of every kind
				at = now
			}
			payload := struct {
				Channel string `json:"channel"`
				Message string `json:"message"`
				Seq     int    `json:"seq"`
			}{"c-set", text, i}
			if _, err := tx.Enqueue(kinds[i%len(kinds)], "k"+string(rune('a'+i%26)), payload, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkOutboxReads reads an outbox of 2,000 waiting jobs with payloads
// of about 1 KB, 20 of them due, as the dispatcher's lanes do on every
// pass: the due jobs of some kinds, and all due jobs up to a limit.
func BenchmarkOutboxReads(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "setbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	queueJobs(b, db, 2000, t0)
	b.Run("DueJobsOf", func(b *testing.B) {
		b.ReportAllocs()
		chat := func(kind string) bool { return kind == "post" || kind == "dm" }
		for b.Loop() {
			if jobs, err := db.DueJobsOf(t0, 1000, chat); err != nil || len(jobs) != 8 {
				b.Fatalf("%d due, %v", len(jobs), err)
			}
		}
	})
	b.Run("DueJobs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if jobs, err := db.DueJobs(t0, 50); err != nil || len(jobs) != 20 {
				b.Fatalf("%d due, %v", len(jobs), err)
			}
		}
	})
}
