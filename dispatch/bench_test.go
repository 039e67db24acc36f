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
	"github.com/setbot/setbot/store"
)

// benchChat is the chat side of the benchmarks: answering a typed DM needs
// nothing from Mattermost before the commit. Other calls would panic.
type benchChat struct{ setbot.Chat }

func (benchChat) Typing(context.Context, setbot.ChannelID, setbot.UserID, setbot.PostID) error {
	return nil
}

// answerBench is a dispatcher on a real bbolt file with one user per
// worker, each in the middle of an intake at the customer question.
type answerBench struct {
	d    *Dispatcher
	seq  atomic.Int64
	last time.Time
}

func newAnswerBench(b *testing.B, users int) *answerBench {
	b.Helper()
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
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
// setbot: the handled check, the conversation step, and one durable bbolt
// commit (fsync) holding the new state, the handled mark, the cursor and the
// reply job. Answers alternate between the customer question and `back`, so
// every one is a real state change.
func BenchmarkAnswerDurable(b *testing.B) {
	ab := newAnswerBench(b, 1)
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
func BenchmarkAnswerDurableParallel(b *testing.B) {
	const users = 50 // people answering at once, as issue 17 measures it
	ab := newAnswerBench(b, users)
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
