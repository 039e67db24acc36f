package store

import (
	"slices"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// TestWeekLogKeepsWhatTheRecordsNeedAcrossAReopen: filings are logged once
// per ticket, every incident update is logged (an older one too, which
// does not move LastUpdate), the stale count keeps the last hand-over's,
// all of it survives a reopen, and pruning drops only the old.
func TestWeekLogKeepsWhatTheRecordsNeedAcrossAReopen(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		if _, _, err := db.TrackIncident(setbot.Incident{Key: "SET-7", Priority: setbot.L1, Opened: t0}, t0); err != nil {
			t.Fatal(err)
		}
		err := db.Update(t0, func(tx *Tx) error {
			for _, e := range []error{
				tx.LogFiled("SET-1", setbot.L2, t0),
				tx.LogFiled("SET-1", setbot.L4, t0.Add(time.Hour)), // a retried filing: ignored
				tx.LogFiled("SET-2", setbot.PriorityUnset, t0.Add(-40*24*time.Hour)),
				tx.LogStaleAtHandover("2026-03-02", 4),
				tx.LogStaleAtHandover("2026-03-02", 2),
				tx.LogStaleAtHandover("2026-01-19", 9),
			} {
				if e != nil {
					return e
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{t0.Add(2 * time.Hour), t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
			if _, _, err := db.RecordUpdate("SET-7", at); err != nil {
				t.Fatal(err)
			}
		}
		db = s.reopen(t, db)
		l, err := db.WeekLog()
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(l.Filed, func(a, b setbot.FiledTicket) int { return a.At.Compare(b.At) })
		if len(l.Filed) != 2 || l.Filed[1] != (setbot.FiledTicket{Key: "SET-1", Level: setbot.L2, At: t0}) {
			t.Errorf("filed = %+v", l.Filed)
		}
		if ups := l.Updates["SET-7"]; len(ups) != 2 || !ups[0].Equal(t0.Add(time.Hour)) || !ups[1].Equal(t0.Add(2*time.Hour)) {
			t.Errorf("updates = %v, want 11:00 and 12:00", ups)
		}
		if l.Stale["2026-03-02"] != 2 {
			t.Errorf("stale = %v", l.Stale)
		}
		n, err := db.PruneWeekLog(t0.Add(-WeekLogKeep))
		if err != nil || n != 2 {
			t.Fatalf("pruned %d (%v), want the old filing and the old stale count", n, err)
		}
		if l, _ = db.WeekLog(); len(l.Filed) != 1 || len(l.Stale) != 1 || len(l.Updates["SET-7"]) != 2 {
			t.Errorf("after pruning: %+v", l)
		}
	})
}

func TestRecordsArePutOnceAndReadNewestLast(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		for _, w := range []string{"2026-02-09", "2026-02-16", "2026-02-23"} {
			err := db.Update(now, func(tx *Tx) error {
				ok, err := tx.PutRecord(setbot.WeekRecord{Week: w, Pages: 1})
				if !ok && err == nil {
					t.Errorf("%s not put", w)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		err := db.Update(now, func(tx *Tx) error {
			ok, err := tx.PutRecord(setbot.WeekRecord{Week: "2026-02-16", Pages: 99})
			if ok {
				t.Error("a week's record was put twice")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		weeks := func(rs []setbot.WeekRecord) (out []string) {
			for _, r := range rs {
				out = append(out, r.Week)
			}
			return out
		}
		for _, c := range []struct {
			before string
			n      int
			want   []string
		}{
			{"2026-03-02", 8, []string{"2026-02-09", "2026-02-16", "2026-02-23"}},
			{"2026-03-02", 2, []string{"2026-02-16", "2026-02-23"}},
			{"2026-02-23", 8, []string{"2026-02-09", "2026-02-16"}},
			{"2026-02-09", 8, nil},
		} {
			got, err := db.Records(c.before, c.n)
			if err != nil || !slices.Equal(weeks(got), c.want) {
				t.Errorf("Records(%s, %d) = %v, %v; want %v", c.before, c.n, weeks(got), err, c.want)
			}
		}
		if got, _ := db.Records("2026-03-02", 8); got[1].Pages != 1 {
			t.Errorf("the first record of a week was replaced: %+v", got[1])
		}
		if ok, _ := db.HasRecord("2026-02-16"); !ok {
			t.Error("HasRecord false for a stored week")
		}
		if n, err := db.PruneRecords("2026-02-16"); n != 1 || err != nil {
			t.Errorf("PruneRecords = %d, %v", n, err)
		}
	})
}
