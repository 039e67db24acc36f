package dispatch

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// rig is the set-up every dispatch test shares: a dispatcher on a real
// bbolt file, a settable clock, a fake chat, and the Config and Extensions
// a test adjusts (a fake tracker, a webhook) before open. open restarts
// the dispatcher on the same file, as a restart of setbot would. The
// feature rigs (ticketRig, pagingRig, incRig, cycleRig) embed it and add
// the helpers their feature needs.
type rig struct {
	t    testing.TB
	d    *Dispatcher
	db   *store.DB
	path string
	cfg  Config
	ext  Extensions
	chat *fakeChat
	now  time.Time
	seq  int
}

// rigMonday starts the rigs' rotation week: primary alice, backup bob,
// lead carol.
var rigMonday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// newRig returns an open rig at now; configure, when not nil, adjusts its
// Config and Extensions first.
func newRig(t testing.TB, now time.Time, configure func(*Config, *Extensions)) *rig {
	t.Helper()
	r := &rig{t: t, path: filepath.Join(t.TempDir(), "setbot.db"), chat: newFakeChat(), now: now}
	r.cfg = Config{Bot: setbot.User{ID: "bot", Username: "setbot"}, SETChannel: "c-set", AskChannel: "c-ask", ChatWorkers: 1, SlowWorkers: 1,
		Now: func() time.Time { return r.now }, Log: zerolog.Nop(),
		Rotation: Rotation{Location: time.UTC, Weeks: []setbot.Week{{Starts: rigMonday, Primary: "alice", Backup: "bob", Lead: "carol"}}}}
	if configure != nil {
		configure(&r.cfg, &r.ext)
	}
	r.open()
	return r
}

// open (re)starts the dispatcher on the rig's store file with its Config
// and Extensions.
func (r *rig) open() {
	r.t.Helper()
	if r.db != nil {
		r.db.Close()
	}
	db, err := store.Open(r.path, store.WithClock(func() time.Time { return r.now }))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	r.db = db
	r.d = New(r.cfg, r.chat, db, r.ext)
}

// post handles "@setbot text" from user in channel ch (root: its thread)
// and returns the post's id.
func (r *rig) post(user string, ch setbot.ChannelID, root setbot.PostID, text string) setbot.PostID {
	r.seq++
	kind := setbot.ChannelSET
	if ch == "c-ask" {
		kind = setbot.ChannelAsk
	}
	id := setbot.PostID(fmt.Sprintf("m%d", r.seq))
	r.deliver(setbot.Message{ID: id, ChannelID: ch, RootID: root, Kind: kind,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: "@setbot " + text, Mentioned: true, At: r.now})
	return id
}

// deliver does with m what Deliver and a worker do: the first-response
// watch sees it (recorded at the watch's next flush), then it is handled.
func (r *rig) deliver(m setbot.Message) {
	r.d.c.watch.observe(m)
	r.d.handle(context.Background(), m)
}

// drain runs due jobs in every lane until none is due at the rig's time.
func (r *rig) drain() {
	r.t.Helper()
	drainJobs(r.t, r.db, r.d, r.now)
}
