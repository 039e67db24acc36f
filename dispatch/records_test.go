package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// recordsRig is the cycle rig with a chart drawer that says what it drew.
type recordsRig struct {
	*cycleRig
	charts [][]setbot.WeekRecord
}

func newRecordsRig(t *testing.T, rep Reports) *recordsRig {
	t.Helper()
	r := &recordsRig{cycleRig: newCycleRig(t, rep)}
	r.ext.Chart = func(recs []setbot.WeekRecord) ([]byte, error) {
		r.charts = append(r.charts, recs)
		return []byte(fmt.Sprintf("PNG of %d weeks", len(recs))), nil
	}
	r.open()
	return r
}

// week fills the rig's week (Monday 2026-03-02, setbot running since
// 08:00) with one of everything the record counts.
func (r *recordsRig) week(t *testing.T) {
	t.Helper()
	at := func(day int, hour time.Duration) time.Time { return cycleMonday.AddDate(0, 0, day).Add(hour) }
	err := r.db.Update(at(0, 9*time.Hour), func(tx *store.Tx) error {
		if err := tx.LogFiled("SET-1", setbot.L1, at(0, 9*time.Hour)); err != nil {
			return err
		}
		if err := tx.LogFiled("SET-3", setbot.L2, at(1, 9*time.Hour)); err != nil {
			return err
		}
		_, err := tx.Watch(setbot.Watched{Post: "q1", Channel: "c-set", Poster: "u-zoe", At: at(0, 10*time.Hour)})
		if err == nil {
			_, err = tx.Answer("q1", at(0, 10*time.Hour+25*time.Minute))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// An L2 incident from Tuesday 10:00, updated Wednesday, then silent.
	if _, _, err := r.db.TrackIncident(setbot.Incident{Key: "SET-3", Priority: setbot.L2, Opened: at(1, 10*time.Hour)}, at(1, 10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.db.RecordUpdate("SET-3", at(2, 15*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A page on Thursday, acknowledged 6 minutes later.
	p := setbot.Page{ID: "pg1", Text: "down", By: "zoe", Created: at(3, 11*time.Hour)}
	if err := r.db.AddPage(p, p.Created); err != nil {
		t.Fatal(err)
	}
	err = r.db.Update(p.Created.Add(6*time.Minute), func(tx *store.Tx) error { _, _, err := tx.AckPage("pg1", "alice"); return err })
	if err != nil {
		t.Fatal(err)
	}
}

func TestWeekRecordIsStoredOnceWhenTheWeekEnds(t *testing.T) {
	r := newRecordsRig(t, Reports{})
	r.week(t)
	r.now = cycleMonday.AddDate(0, 0, 7).Add(-time.Second) // Sunday 23:59:59
	r.d.c.cycle.recordWeek(r.now)
	if ok, _ := r.db.HasRecord("2026-03-02"); ok {
		t.Fatal("a record before the week ended")
	}
	r.now = cycleMonday.AddDate(0, 0, 7)
	r.d.c.cycle.recordWeek(r.now)
	recs, err := r.db.Records("2026-03-09", 8)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %+v, %v; want this week's only (setbot did not run the week before)", recs, err)
	}
	// Tue–Sun: 6 incident-days; Tuesday (opened) and Wednesday (update).
	want := setbot.WeekRecord{Week: "2026-03-02", Filed: [5]int{0, 1, 1, 0, 0},
		FirstResponse: setbot.Spread{N: 1, Median: 25 * time.Minute, P90: 25 * time.Minute},
		IncidentDays:  6, UpdatedDays: 2, Pages: 1, Ack: setbot.Spread{N: 1, Median: 6 * time.Minute, P90: 6 * time.Minute},
		StaleAtHandover: -1}
	if recs[0] != want {
		t.Errorf("record\n got %+v\nwant %+v", recs[0], want)
	}
	// A restart and later ticks change nothing.
	r.open()
	if _, _, err := r.db.RecordUpdate("SET-3", cycleMonday.AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	r.now = r.now.Add(time.Hour)
	r.d.c.cycle.recordWeek(r.now)
	if recs, _ := r.db.Records("2026-03-09", 8); len(recs) != 1 || recs[0] != want {
		t.Errorf("the record changed after it was stored: %+v", recs)
	}

	// @setbot stats: the table and the chart, in the command's thread.
	cmd := r.mention("zoe", "stats") // not on SET
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "only SET members") {
		t.Fatalf("zoe's stats:\n%s", texts(got))
	}
	cmd = r.mention("alice", "stats 4")
	r.drain()
	got := r.chat.take()
	if len(got) != 1 || got[0].RootID != cmd {
		t.Fatalf("stats:\n%s", texts(got))
	}
	if row := "| 2026-03-02 | 2 (1/1/0/0/0) | 25m, 25m (1) | 2 of 6 (33%) | 1, 6m | – |"; !strings.Contains(got[0].Text, row) {
		t.Errorf("stats lack %q:\n%s", row, got[0].Text)
	}
	if len(got[0].Files) != 1 || got[0].Files[0].Name != "set-weeks.png" || string(got[0].Files[0].Data) != "PNG of 1 weeks" {
		t.Errorf("stats files %+v", got[0].Files)
	}
	r.mention("alice", "stats 99")
	r.drain()
	if got := r.chat.take(); len(got) != 1 || !strings.Contains(got[0].Text, "a number from 1 to 52") {
		t.Errorf("stats 99:\n%s", texts(got))
	}
}

func TestStatsBeforeAnyWeekEndedSaysSo(t *testing.T) {
	r := newRecordsRig(t, Reports{})
	r.mention("alice", "stats")
	r.drain()
	got := r.chat.take()
	if len(got) != 1 || !strings.Contains(got[0].Text, "No rotation week has ended") || len(got[0].Files) != 0 {
		t.Fatalf("stats with no records:\n%s", texts(got))
	}
}

func TestHandoverCarriesTheWeeksRecordAndChart(t *testing.T) {
	r := newRecordsRig(t, Reports{Handover: &friTwo})
	r.week(t)
	// Last week's record exists (as if setbot had stored it then).
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		_, err := tx.PutRecord(setbot.WeekRecord{Week: "2026-02-23", Pages: 4, StaleAtHandover: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.now = cycleMonday.AddDate(0, 0, 4).Add(14 * time.Hour) // Friday 14:00
	got := r.tick()
	if len(got) != 1 {
		t.Fatalf("want the hand-over, got:\n%s", texts(got))
	}
	h := got[0]
	// Stale on Friday 14:00: SET-1 (L1, updated 5d 14h ago) and SET-3 (L2,
	// 4d 14h ago); SET-2 (L3, 7d 14h) too.
	if row := "| 2026-03-02 | 2 (1/1/0/0/0) | 25m, 25m (1) | 2 of 4 (50%) | 1, 6m | 3 |"; !strings.Contains(h.Text, row) {
		t.Errorf("hand-over lacks the week's row %q:\n%s", row, h.Text)
	}
	if len(h.Files) != 1 || len(r.charts) != 1 || len(r.charts[0]) != 2 || r.charts[0][0].Week != "2026-02-23" || r.charts[0][1].Week != "2026-03-02" {
		t.Fatalf("chart of %+v, files %d; want last week and this week so far", r.charts, len(h.Files))
	}
	// The week ends: its record keeps the hand-over's stale count.
	r.now = cycleMonday.AddDate(0, 0, 7)
	r.d.c.cycle.recordWeek(r.now)
	if recs, _ := r.db.Records("2026-03-09", 1); len(recs) != 1 || recs[0].StaleAtHandover != 3 {
		t.Errorf("record %+v; want stale at hand-over 3", recs)
	}
}
