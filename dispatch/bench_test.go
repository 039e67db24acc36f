package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/e2e/pgtest"
	"github.com/setbot/setbot/store"
)

// benchChat is the chat side of the benchmarks: answering a typed DM needs
// nothing from Mattermost before the commit. Other calls would panic.
type benchChat struct{ setbot.Chat }

func (benchChat) Typing(context.Context, setbot.ChannelID, setbot.UserID, setbot.PostID) error {
	return nil
}

// answerBench is a dispatcher on a real store (a bbolt file, or a
// PostgreSQL schema of its own) with one user per worker, each in the
// middle of an intake at the customer question.
type answerBench struct {
	d    *Dispatcher
	seq  atomic.Int64
	last time.Time
}

// benchBolt opens a store in a fresh bbolt file.
func benchBolt(b *testing.B) *store.DB {
	b.Helper()
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// benchPostgres opens a store in a fresh schema of the devstack's
// PostgreSQL (pgtest.EnvDSN), dropped when the benchmark ends; without
// it the benchmark is skipped.
func benchPostgres(b *testing.B) *store.DB {
	b.Helper()
	db, err := store.OpenPostgres(pgtest.Schema(b, false))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func newAnswerBench(b *testing.B, db *store.DB, users int) *answerBench {
	b.Helper()
	ab := &answerBench{}
	ab.d = New(Config{Bot: setbot.User{ID: "bot", Username: "setbot"}, Log: zerolog.Nop(),
		Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }}, benchChat{}, db, Extensions{})
	for u := range users {
		for _, text := range []string{"ticket", "yes", "Login fails with 500 for LDAP users", "server: POST /api/v4/users/login"} {
			ab.answer(b, u, text)
		}
		var s conversations.State
		var raw []byte
		_ = ab.d.c.db.Update(ab.d.c.now(), func(tx *store.Tx) error {
			raw = tx.Conversation(setbot.UserID(fmt.Sprintf("u%d", u)))
			return nil
		})
		if err := json.Unmarshal(raw, &s); err != nil || s.Current != conversations.ItemCustomer {
			b.Fatalf("user %d is not at the customer question: %v %+v", u, err, s.Current)
		}
	}
	return ab
}

// answer handles one DM from user u as the websocket would deliver it.
func (ab *answerBench) answer(b *testing.B, u int, text string) {
	n := ab.seq.Add(1)
	ab.d.handle(context.Background(), setbot.Message{ID: setbot.PostID(fmt.Sprintf("p%d", n)), UserID: setbot.UserID(fmt.Sprintf("u%d", u)),
		Username: setbot.Username(fmt.Sprintf("user%d", u)), ChannelID: setbot.ChannelID(fmt.Sprintf("dm%d", u)), Kind: setbot.ChannelDM, Text: text,
		At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
}

// BenchmarkAnswerDurable is one typed intake answer end to end inside
// setbot: the handled check, the conversation step, and one durable commit
// (bbolt: an fsync) holding the new state, the handled mark, the cursor
// and the reply job. Answers alternate between the customer question and
// `back`, so every one is a real state change.
func BenchmarkAnswerDurable(b *testing.B) { benchAnswer(b, benchBolt(b)) }

// BenchmarkAnswerDurablePostgres is BenchmarkAnswerDurable on PostgreSQL:
// each commit is a SERIALIZABLE transaction on the server.
func BenchmarkAnswerDurablePostgres(b *testing.B) { benchAnswer(b, benchPostgres(b)) }

func benchAnswer(b *testing.B, db *store.DB) {
	ab := newAnswerBench(b, db, 1)
	texts := []string{"Acme Corp, about 2,000 of 5,000 users", "back"}
	b.ReportAllocs()
	i := 0
	start := time.Now()
	for b.Loop() {
		ab.answer(b, 0, texts[i%2])
		i++
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "answers/s")
}

// BenchmarkAnswerDurableParallel is the same with many people answering at
// once: bbolt has one writer, so this shows how commits queue.
func BenchmarkAnswerDurableParallel(b *testing.B) { benchAnswerParallel(b, benchBolt(b)) }

// BenchmarkAnswerDurableParallelPostgres is the same on PostgreSQL: the
// group commits are one transaction each, as on bbolt.
func BenchmarkAnswerDurableParallelPostgres(b *testing.B) {
	benchAnswerParallel(b, benchPostgres(b))
}

func benchAnswerParallel(b *testing.B, db *store.DB) {
	const users = 50 // people answering at once, as issue 17 measures it
	ab := newAnswerBench(b, db, users)
	var next atomic.Int64
	texts := []string{"Acme Corp, about 2,000 of 5,000 users", "back"}
	b.ReportAllocs()
	b.SetParallelism(max(1, users/runtime.GOMAXPROCS(0))) // users goroutines, not GOMAXPROCS
	start := time.Now()
	var total atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		u := int(next.Add(1)-1) % users
		i := 0
		for pb.Next() {
			ab.answer(b, u, texts[i%2])
			i++
			total.Add(1)
		}
	})
	b.ReportMetric(float64(total.Load())/time.Since(start).Seconds(), "answers/s")
}
