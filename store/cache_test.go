package store

import (
	"strconv"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// TestCachedReadsSeeEveryChange: the decoded-incident cache never hides a
// change: an update, a resolution, a new incident and a pruned one all
// show in the next read, through both OpenIncidents and OpenIncidentsInto.
func TestCachedReadsSeeEveryChange(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		for i := range 3 {
			if _, _, err := db.TrackIncident(setbot.Incident{Key: setbot.IssueKey("SET-" + strconv.Itoa(i+1)), Priority: setbot.L1}, incNow); err != nil {
				t.Fatal(err)
			}
		}
		var buf []setbot.Incident
		read := func() map[setbot.IssueKey]setbot.Incident {
			t.Helper()
			var err error
			if buf, err = db.OpenIncidentsInto(buf); err != nil {
				t.Fatal(err)
			}
			out := map[setbot.IssueKey]setbot.Incident{}
			for _, in := range buf {
				out[in.Key] = in
			}
			return out
		}
		if got := read(); len(got) != 3 {
			t.Fatalf("%d open, want 3", len(got))
		}
		later := incNow.Add(time.Hour)
		if _, _, err := db.RecordUpdate("SET-2", later); err != nil {
			t.Fatal(err)
		}
		err := db.Update(later, func(tx *Tx) error { _, _, err := tx.ResolveIncident("SET-3"); return err })
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.TrackIncident(setbot.Incident{Key: "SET-4", Priority: setbot.L2}, later); err != nil {
			t.Fatal(err)
		}
		got := read()
		if len(got) != 3 || !got["SET-2"].LastUpdate.Equal(later) || got["SET-4"].Priority != setbot.L2 {
			t.Fatalf("after changes: %+v", got)
		}
		if _, ok := got["SET-3"]; ok {
			t.Fatal("a resolved incident is still open")
		}
		if n, err := db.PruneIncidents(later.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		all, err := db.Incidents()
		if err != nil || len(all) != 3 {
			t.Fatalf("after pruning the resolved one: %d kept, %v", len(all), err)
		}
	})
}

// TestCachedReadOfUnchangedIncidentsAllocatesNothingPerIncident: reading
// 2,000 unchanged incidents into a reused slice allocates only what a read
// transaction does (on PostgreSQL: the queries for the bucket's
// sequence), however many incidents there are.
func TestCachedReadOfUnchangedIncidentsAllocatesNothingPerIncident(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(incNow, func(tx *Tx) error {
			for i := range 2000 {
				if _, _, err := tx.TrackIncident(setbot.Incident{Key: setbot.IssueKey("SET-" + strconv.Itoa(i+1)), Priority: setbot.L2}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		buf, _ := db.OpenIncidentsInto(nil)
		allocs := testing.AllocsPerRun(20, func() { buf, _ = db.OpenIncidentsInto(buf) })
		limit := map[string]float64{driverBolt: 20, driverPostgres: 100}[s.driver]
		t.Logf("%.0f allocations", allocs)
		if allocs > limit || len(buf) != 2000 {
			t.Errorf("%.0f allocations for 2,000 unchanged incidents (%d read); want at most %.0f", allocs, len(buf), limit)
		}
	})
}

// TestCachedReadSeesAChangeOfTheSameLength: a value rewritten with bytes
// of the same length (one letter of the title) is decoded again, not
// taken for the one the cache holds.
func TestCachedReadSeesAChangeOfTheSameLength(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if _, _, err := db.TrackIncident(setbot.Incident{Key: "SET-1", Priority: setbot.L1, Title: "checkout down"}, incNow); err != nil {
			t.Fatal(err)
		}
		stored := func() (v []byte) {
			t.Helper()
			err := db.eng.view(func(tx kvTx) error {
				v = append(v, tx.Bucket(bucketIncidents).Get([]byte("SET-1"))...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		before := stored()
		if open, err := db.OpenIncidents(); err != nil || len(open) != 1 || open[0].Title != "checkout down" {
			t.Fatalf("before the change: %+v, %v", open, err)
		}
		_, err := edit(db, "SET-1", incNow, func(in setbot.Incident) setbot.Incident { in.Title = "checkout d0wn"; return in })
		if err != nil {
			t.Fatal(err)
		}
		if after := stored(); len(after) != len(before) || string(after) == string(before) {
			t.Fatalf("stored %q, then %q: want other bytes of the same length", before, after)
		}
		if open, err := db.OpenIncidents(); err != nil || len(open) != 1 || open[0].Title != "checkout d0wn" {
			t.Fatalf("after the change: %+v, %v; want the new title", open, err)
		}
	})
}
