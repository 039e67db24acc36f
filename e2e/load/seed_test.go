package load

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// TestSeedStoreWritesWhatItIsAsked: the seeded store holds the incidents,
// open and resolved as asked, none due a reminder, and intakes under way
// that the flow can read back.
func TestSeedStoreWritesWhatItIsAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setbot.db")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := SeedStore(path, Seed{Incidents: 1200, Resolved: 700, Conversations: 600}, now); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.Incidents()
	if err != nil {
		t.Fatal(err)
	}
	open, err := db.OpenIncidents()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1200 || len(open) != 500 {
		t.Errorf("%d incidents, %d open; want 1200, 500", len(all), len(open))
	}
	n := 0
	err = db.Conversations(func(_ setbot.UserID, raw []byte) error {
		var s conversations.State
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if !s.Active() || s.Version != conversations.StateVersion {
			t.Errorf("conversation %d: phase %q, version %d; want one under way", n, s.Phase, s.Version)
		}
		if due := s.NextTick(); due.Before(now.Add(time.Hour)) {
			t.Errorf("conversation %d is due a tick at %s, within the hour of a measurement", n, due)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 600 {
		t.Errorf("%d conversations, want 600", n)
	}
}
