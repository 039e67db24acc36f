package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// TestPruneSeenRemovesEveryOldMark: with far more marks than one bbolt
// page, all the old ones go and the new ones stay (deleting under a cursor
// used to skip every other key).
func TestPruneSeenRemovesEveryOldMark(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		old, fresh := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		const n = 3000
		for i := range n {
			at := old
			if i%3 == 0 {
				at = fresh
			}
			if _, err := db.Handle(setbot.PostID(fmt.Sprintf("p%05d", i)), at, func(*Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		removed, err := db.PruneSeen(fresh.Add(-time.Hour))
		if err != nil || removed != n-n/3 {
			t.Fatalf("PruneSeen removed %d (%v), want %d", removed, err, n-n/3)
		}
		for i := range n {
			seen, err := db.Seen(setbot.PostID(fmt.Sprintf("p%05d", i)))
			if err != nil || seen != (i%3 == 0) {
				t.Fatalf("p%05d seen %v (%v) after pruning", i, seen, err)
			}
		}
	})
}

// TestPruneNoticesAndResolvedIncidents: old notices and incidents resolved
// long ago are removed; newer ones and open incidents stay.
func TestPruneNoticesAndResolvedIncidents(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		later := t0.AddDate(0, 1, 0)
		for _, c := range []struct {
			at  time.Time
			sub string
		}{{t0, "old"}, {later, "new"}} {
			if _, err := db.ClaimNotice("gap", c.sub, "x", c.at); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range []setbot.IssueKey{"SET-1", "SET-2", "SET-3"} {
			if _, _, err := db.TrackIncident(setbot.Incident{Key: k, Priority: setbot.L2}, t0); err != nil {
				t.Fatal(err)
			}
		}
		resolve := func(k setbot.IssueKey, at time.Time) {
			if err := db.Update(at, func(tx *Tx) error { _, _, err := tx.ResolveIncident(k); return err }); err != nil {
				t.Fatal(err)
			}
		}
		resolve("SET-1", t0)
		resolve("SET-2", later)
		cut := later.Add(-time.Hour)
		if n, err := db.PruneNotices(cut); err != nil || n != 1 {
			t.Errorf("PruneNotices removed %d (%v), want 1", n, err)
		}
		if _, ok, _ := db.NoticeSent("gap", "new", "x"); !ok {
			t.Error("the newer notice was pruned")
		}
		if n, err := db.PruneIncidents(cut); err != nil || n != 1 {
			t.Errorf("PruneIncidents removed %d (%v), want 1 (SET-1)", n, err)
		}
		for k, want := range map[setbot.IssueKey]bool{"SET-1": false, "SET-2": true, "SET-3": true} {
			if _, ok, _ := db.Incident(k); ok != want {
				t.Errorf("%s kept %v, want %v", k, ok, want)
			}
		}
	})
}

// TestCollectBlobsKeepsOnlyReferencedUploads: a blob a conversation or a
// job refers to stays; one nobody refers to any more goes; other keys
// (an archived conversation) are not touched.
func TestCollectBlobsKeepsOnlyReferencedUploads(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		key := func(c string) string { return "sha256:" + strings.Repeat(c, 64) }
		err := db.Update(now, func(tx *Tx) error {
			for _, k := range []string{key("a"), key("b"), key("c"), "archived-conversation:u1:1"} {
				if err := tx.PutBlob(k, []byte("data "+k)); err != nil {
					return err
				}
			}
			if err := tx.PutConversation("u1", []byte(`{"intake":{"logs":[{"blob_key":"`+key("a")+`"}]}}`)); err != nil {
				return err
			}
			_, err := tx.Enqueue("file", "", map[string]any{"intake": map[string]any{"config": map[string]string{"blob_key": key("b")}}}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.CollectBlobs()
		if err != nil || n != 1 {
			t.Fatalf("CollectBlobs = %d, %v; want 1 (the unreferenced one)", n, err)
		}
		for k, want := range map[string]bool{key("a"): true, key("b"): true, key("c"): false, "archived-conversation:u1:1": true} {
			if _, ok, _ := db.Blob(k); ok != want {
				t.Errorf("blob %s kept %v, want %v", k[:12], ok, want)
			}
		}
		if size, err := db.SizeBytes(); err != nil || size <= 0 {
			t.Errorf("SizeBytes = %d, %v", size, err)
		}
	})
}
