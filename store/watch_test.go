package store

import (
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// TestWatchedPostsLifecycle: a post is watched once (a replay leaves it),
// each nudge is claimed once, an answer stops the nudges, and all of it
// survives a restart.
func TestWatchedPostsLifecycle(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		at := rotNow.Add(-time.Hour)
		w := setbot.Watched{Post: "p1", Channel: "c-set", Poster: "u-sam", At: at, Level: setbot.L2}
		do := func(fn func(*Tx) (bool, error)) bool {
			t.Helper()
			var ok bool
			if err := db.Update(rotNow, func(tx *Tx) (err error) { ok, err = fn(tx); return err }); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !do(func(tx *Tx) (bool, error) { return tx.Watch(w) }) {
			t.Fatal("the first Watch did not add the post")
		}
		if do(func(tx *Tx) (bool, error) { return tx.Watch(setbot.Watched{Post: "p1", At: rotNow}) }) {
			t.Fatal("a replay replaced the watched post")
		}
		do(func(tx *Tx) (bool, error) {
			return tx.Watch(setbot.Watched{Post: "p2", Channel: "c-set", At: at.Add(-time.Minute)})
		})
		if !do(func(tx *Tx) (bool, error) { return tx.ClaimNudge("p1", 1) }) || do(func(tx *Tx) (bool, error) { return tx.ClaimNudge("p1", 1) }) {
			t.Fatal("nudge 1 was not claimed exactly once")
		}
		db = s.reopen(t, db)
		if n, err := db.Overdue(); n != 1 || err != nil {
			t.Fatalf("Overdue = %d, %v; want the nudged post", n, err)
		}
		got, err := db.Unanswered()
		if err != nil || len(got) != 2 || got[0].Post != "p2" || got[1] != (setbot.Watched{Post: "p1", Channel: "c-set", Poster: "u-sam", At: at.UTC(), Level: setbot.L2, Nudges: 1}) {
			t.Fatalf("Unanswered = %+v, %v", got, err)
		}
		if !do(func(tx *Tx) (bool, error) { return tx.Answer("p1", rotNow) }) || do(func(tx *Tx) (bool, error) { return tx.Answer("p1", rotNow) }) {
			t.Fatal("the answer was not recorded exactly once")
		}
		if do(func(tx *Tx) (bool, error) { return tx.ClaimNudge("p1", 2) }) {
			t.Fatal("an answered post was nudged")
		}
		// A reply handled before its thread's first post leaves a mark the
		// post's Watch respects.
		if !do(func(tx *Tx) (bool, error) { return tx.Answer("p3", rotNow) }) || do(func(tx *Tx) (bool, error) {
			return tx.Watch(setbot.Watched{Post: "p3", Channel: "c-set", At: at})
		}) {
			t.Fatal("a reply before its post did not keep the post from being watched")
		}
		if got, _ := db.Unanswered(); len(got) != 1 || got[0].Post != "p2" {
			t.Fatalf("after the answer: %+v", got)
		}
		if n, err := db.PruneWatched(at); err != nil || n != 1 { // p2; p1 and the p3 mark are newer
			t.Fatalf("PruneWatched = %d, %v; want the older post gone", n, err)
		}
		if got, _ := db.Unanswered(); len(got) != 0 {
			t.Fatalf("after pruning: %+v", got)
		}
	})
}

// TestWatchCursorHoldsCatchUpBack: catch-up starts from the older of the
// handled cursor and the watch's, so posts the watch had not recorded are
// replayed; with the watch off its cursor is dropped.
func TestWatchCursorHoldsCatchUpBack(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		handled, watched := rotNow, rotNow.Add(-time.Minute)
		err := db.Update(rotNow, func(tx *Tx) error {
			if err := tx.SetCursor("c-set", handled); err != nil {
				return err
			}
			if err := tx.SetWatchCursor("c-set", watched); err != nil {
				return err
			}
			return tx.SetWatchCursor("c-set", watched.Add(-time.Hour)) // never moves back
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Cursor("c-set"); !got.Equal(watched.Truncate(time.Millisecond)) {
			t.Errorf("Cursor = %s, want the watch's %s", got, watched)
		}
		if got, _ := db.NewestCursor(); !got.Equal(handled.Truncate(time.Millisecond)) {
			t.Errorf("NewestCursor = %s, want the handled %s", got, handled)
		}
		if err := db.DropWatchCursor("c-set"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Cursor("c-set"); !got.Equal(handled.Truncate(time.Millisecond)) {
			t.Errorf("after DropWatchCursor, Cursor = %s, want %s", got, handled)
		}
	})
}

// TestAskAnswerTakeAndThread: an asker's own reply answers nothing,
// another's does; Take keeps the first taker; a thread is set once.
func TestAskAnswerTakeAndThread(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		var got []bool
		err := db.Update(rotNow, func(tx *Tx) error {
			if _, err := tx.Watch(setbot.Watched{Post: "q1", Channel: "c-ask", Poster: "u-sam", At: rotNow}); err != nil {
				return err
			}
			for _, by := range []setbot.UserID{"u-sam", "u-dave", "u-erin"} {
				ok, err := tx.AnswerBy("q1", by)
				if err != nil {
					return err
				}
				got = append(got, ok)
			}
			if ok, err := tx.AnswerBy("nope", "u-dave"); ok || err != nil {
				t.Errorf("an unknown question was answered: %v %v", ok, err)
			}
			return nil
		})
		if err != nil || len(got) != 3 || got[0] || !got[1] || got[2] {
			t.Fatalf("AnswerBy by the asker, another, a third: %v, %v; want false, true, false", got, err)
		}
		err = db.Update(rotNow, func(tx *Tx) error {
			if before, ok, err := tx.Take("q1", "alice"); before != "" || !ok || err != nil {
				t.Errorf("first Take: %q %v %v", before, ok, err)
			}
			if before, ok, _ := tx.Take("q1", "bob"); before != "alice" || !ok {
				t.Errorf("second Take: %q %v, want alice kept", before, ok)
			}
			if _, ok, _ := tx.Take("nope", "bob"); ok {
				t.Errorf("took an unknown question")
			}
			if err := tx.SetThread("ask-sweep/2026-11-24", "root1"); err != nil {
				return err
			}
			return tx.SetThread("ask-sweep/2026-11-24", "root2")
		})
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := db.Thread("ask-sweep/2026-11-24"); id != "root1" {
			t.Errorf("Thread = %q, want the first root kept", id)
		}
		if id, _ := db.Thread("ask-sweep/2026-11-25"); id != "" {
			t.Errorf("an unset thread = %q", id)
		}
	})
}
