package store

import (
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// trackIncidents tracks n incidents, SET-1 to SET-n, in one transaction at
// incNow, with the fields a real one has filled in; every other one is
// resolved, as a store that has run for a while holds both.
func trackIncidents(tb testing.TB, db *DB, n int) {
	tb.Helper()
	err := db.Update(incNow, func(tx *Tx) error {
		for i := range n {
			key := setbot.IssueKey("SET-" + strconv.Itoa(i+1))
			in := setbot.Incident{Key: key, Priority: setbot.Priority(1 + i%2), Title: "Checkout fails for customers paying in " + strconv.Itoa(i%40) + " currencies",
				Channel: "c" + setbot.ChannelID(strconv.Itoa(i)), Reporter: "u" + setbot.UserID(strconv.Itoa(i%300))}
			if _, _, err := tx.TrackIncident(in); err != nil {
				return err
			}
			if i%2 == 1 {
				if _, _, err := tx.ResolveIncident(key); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// heapHeldBy returns how many bytes of live heap drop frees.
func heapHeldBy(drop func()) float64 {
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	drop()
	runtime.GC()
	runtime.ReadMemStats(&without)
	return float64(with.HeapAlloc) - float64(without.HeapAlloc)
}

// BenchmarkIncidentCache10k measures the decoded-incident cache over
// 10,000 incidents, half of them resolved: the live heap it holds once
// filled (cache-B), and, per op, the read of the open incidents that
// follows a change to one of them (the timer loop's read after a write:
// every value is walked, one is decoded again). The write is not timed.
func BenchmarkIncidentCache10k(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "setbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const n = 10000
	trackIncidents(b, db, n)
	if _, err := db.Incidents(); err != nil { // fills the cache
		b.Fatal(err)
	}
	held := heapHeldBy(func() { db.incidentCache = decodeCache[setbot.Incident]{} })
	if _, err := db.Incidents(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var open []setbot.Incident
	at := incNow
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		at = at.Add(time.Second)
		if _, _, err := db.RecordUpdate(setbot.IssueKey("SET-"+strconv.Itoa(1+2*(i%(n/2)))), at); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if open, err = db.OpenIncidentsInto(open); err != nil || len(open) != n/2 {
			b.Fatalf("%d open, %v", len(open), err)
		}
	}
	b.ReportMetric(held, "cache-B")
}
