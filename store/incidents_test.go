package store

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

var (
	incNow    = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	incPolicy = setbot.NagPolicy{Grace: 4 * time.Hour} // L2: every 24h
)

func trackTestIncident(t *testing.T, db *DB, key setbot.IssueKey) setbot.Incident {
	t.Helper()
	in, started, err := db.TrackIncident(setbot.Incident{Key: key, Priority: setbot.L2, Root: "r1", Title: "login fails"}, incNow)
	if err != nil || !started || !in.Opened.Equal(incNow) {
		t.Fatalf("TrackIncident = %+v %v %v", in, started, err)
	}
	return in
}

// remindAll claims the reminder from several callers at once and returns how
// many claimed it and the decision.
func remindAll(t *testing.T, db *DB, key setbot.IssueKey, now time.Time) (int, setbot.Nag) {
	t.Helper()
	return claimRace(t, func() (setbot.Nag, bool, error) {
		_, n, claimed, err := db.ClaimReminder(key, incPolicy, now)
		return n, claimed, err
	})
}

// claimRace runs claim from several callers at once, as two schedulers (or
// a scheduler and a restart) might, and returns how many claimed and what
// the claimer got.
func claimRace[T any](t *testing.T, claim func() (T, bool, error)) (int, T) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	claims := 0
	var got T
	for range 8 {
		wg.Go(func() {
			v, claimed, err := claim()
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if claimed {
				claims++
				got = v
			}
		})
	}
	wg.Wait()
	return claims, got
}

func TestRemindersSurviveRestart(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		trackTestIncident(t, db, "SET-1")
		if n, _ := remindAll(t, db, "SET-1", incNow.Add(time.Hour)); n != 0 {
			t.Fatal("reminded a fresh incident")
		}
		n, nag := remindAll(t, db, "SET-1", incNow.Add(24*time.Hour))
		if n != 1 || nag.Reason != setbot.NagFirstReminder || nag.MentionLead {
			t.Fatalf("first reminder: %d claims, %+v", n, nag)
		}
		// Restart at +27h: nothing repeats; at +28h the lead is mentioned, once.
		db = s.reopen(t, db)
		if n, _ := remindAll(t, db, "SET-1", incNow.Add(27*time.Hour)); n != 0 {
			t.Fatal("the first reminder repeated after a restart")
		}
		n, nag = remindAll(t, db, "SET-1", incNow.Add(28*time.Hour))
		if n != 1 || nag.Reason != setbot.NagEscalateLead || !nag.MentionLead {
			t.Fatalf("lead: %d claims, %+v", n, nag)
		}
		in, _, _ := db.Incident("SET-1")
		if in.Reminders != 2 || !in.EscalatedAt.Equal(incNow.Add(28*time.Hour)) || !in.LastReminder.Equal(incNow.Add(28*time.Hour)) {
			t.Errorf("stored %+v", in)
		}
		for i, at := range []time.Duration{24, 28} {
			if sent, ok, _ := db.NoticeSent("incident", "SET-1", string(rune('1'+i))); !ok || !sent.Equal(incNow.Add(at*time.Hour)) {
				t.Errorf("log of reminder %d: %v %v", i+1, sent, ok)
			}
		}
	})
}

func TestUpdateSnoozeResolve(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		trackTestIncident(t, db, "SET-2")
		if n, _ := remindAll(t, db, "SET-2", incNow.Add(24*time.Hour)); n != 1 {
			t.Fatal("first reminder")
		}
		// A snooze holds the lead back.
		if _, err := snooze(db, "SET-2", incNow.Add(30*time.Hour), incNow.Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, _ := remindAll(t, db, "SET-2", incNow.Add(29*time.Hour)); n != 0 {
			t.Fatalf("snoozed, yet %d claims", n)
		}
		// An update (from Playbooks, in ms) starts over; an older one changes nothing.
		upd := time.UnixMilli(incNow.Add(29 * time.Hour).UnixMilli())
		if in, changed, err := db.RecordUpdate("SET-2", upd); err != nil || !changed || !in.LastUpdate.Equal(upd) {
			t.Fatalf("RecordUpdate = %+v %v %v", in, changed, err)
		}
		if _, changed, _ := db.RecordUpdate("SET-2", upd.Add(-time.Hour)); changed {
			t.Error("an older update was recorded")
		}
		if n, _ := remindAll(t, db, "SET-2", incNow.Add(40*time.Hour)); n != 0 {
			t.Error("reminded after an update")
		}
		if n, nag := remindAll(t, db, "SET-2", upd.Add(24*time.Hour)); n != 1 || nag.Reason != setbot.NagFirstReminder {
			t.Errorf("a day after the update: %d, %+v", n, nag)
		}

		in, changed, err := resolve(db, "SET-2", incNow.Add(60*time.Hour))
		if err != nil || !changed || !in.Resolved {
			t.Fatalf("ResolveIncident = %+v %v %v", in, changed, err)
		}
		if _, changed, _ := resolve(db, "SET-2", incNow.Add(61*time.Hour)); changed {
			t.Error("resolved twice")
		}
		if _, nag, claimed, _ := db.ClaimReminder("SET-2", incPolicy, incNow.Add(30*24*time.Hour)); claimed || nag.Reason != setbot.NagResolved {
			t.Errorf("a resolved incident: %+v claimed %v", nag, claimed)
		}
		if _, err := snooze(db, "SET-2", incNow, incNow); setbot.ErrorCode(err) != setbot.EInvalid {
			t.Errorf("snoozing a resolved incident: %v", err)
		}
		if open, _ := db.OpenIncidents(); len(open) != 0 {
			t.Errorf("OpenIncidents lists a resolved one: %+v", open)
		}

		// Tracked again: from now, with the reminder numbers going on.
		again, started, err := db.TrackIncident(setbot.Incident{Key: "SET-2", Priority: setbot.L1}, incNow.Add(70*time.Hour))
		if err != nil || !started || again.Resolved || again.Reminders != 2 || !again.Opened.Equal(incNow.Add(70*time.Hour)) {
			t.Fatalf("tracked again: %+v %v %v", again, started, err)
		}
		if n, _ := remindAll(t, db, "SET-2", incNow.Add(94*time.Hour)); n != 1 {
			t.Error("no reminder after tracking again")
		}
		if _, ok, _ := db.NoticeSent("incident", "SET-2", "3"); !ok {
			t.Error("reminder 3 not in the log")
		}
	})
}

func TestTrackEditAndUnknown(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		trackTestIncident(t, db, "SET-3")
		if _, started, _ := db.TrackIncident(setbot.Incident{Key: "SET-3", Priority: setbot.L1}, incNow.Add(time.Hour)); started {
			t.Error("tracked twice")
		}
		if n, _ := remindAll(t, db, "SET-3", incNow.Add(24*time.Hour)); n != 1 {
			t.Fatal("first reminder")
		}
		in, err := edit(db, "SET-3", incNow, func(in setbot.Incident) setbot.Incident {
			in.Owner, in.Priority = "ann", setbot.L1
			in.Reminders, in.LastReminder = 0, time.Time{} // ignored
			return in
		})
		if err != nil || in.Owner != "ann" || in.Priority != setbot.L1 || in.Reminders != 1 || in.Title != "login fails" {
			t.Fatalf("EditIncident = %+v %v", in, err)
		}
		open, err := db.OpenIncidents()
		if err != nil || len(open) != 1 || open[0] != in {
			t.Errorf("OpenIncidents = %+v %v; want %+v", open, err, in)
		}
		for name, err := range map[string]error{
			"resolve": func() error { _, _, err := resolve(db, "NOPE-1", incNow); return err }(),
			"update":  func() error { _, _, err := db.RecordUpdate("NOPE-1", incNow); return err }(),
			"snooze":  func() error { _, err := snooze(db, "NOPE-1", incNow, incNow); return err }(),
			"claim":   func() error { _, _, _, err := db.ClaimReminder("NOPE-1", incPolicy, incNow); return err }(),
			"edit": func() error {
				_, err := edit(db, "NOPE-1", incNow, func(in setbot.Incident) setbot.Incident { return in })
				return err
			}(),
		} {
			if setbot.ErrorCode(err) != setbot.ENotFound {
				t.Errorf("%s of an unknown key: %v", name, err)
			}
		}
	})
}

func TestClaimReminderBelievesTheLog(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		in := trackTestIncident(t, db, "SET-4")
		if n, _ := remindAll(t, db, "SET-4", incNow.Add(24*time.Hour)); n != 1 {
			t.Fatal("first reminder")
		}
		// The record goes back to before the reminder; the log still has it.
		if err := db.Update(incNow, func(tx *Tx) error { return tx.putIncident(in) }); err != nil {
			t.Fatal(err)
		}
		if n, _ := remindAll(t, db, "SET-4", incNow.Add(25*time.Hour)); n != 0 {
			t.Fatal("the reminder was posted twice")
		}
		got, _, _ := db.Incident("SET-4")
		if got.Reminders != 1 || !got.LastReminder.Equal(incNow.Add(24*time.Hour)) {
			t.Errorf("record not repaired from the log: %+v", got)
		}
	})
}

func TestIncidentFromANewerSetbotIsRefused(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(incNow, func(tx *Tx) error {
			return tx.tx.Bucket(bucketIncidents).Put([]byte("SET-9"), []byte(`{"v":2,"key":"SET-9"}`))
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Incident("SET-9"); err == nil {
			t.Error("a version 2 incident was read")
		}
		if _, err := db.OpenIncidents(); err == nil {
			t.Error("OpenIncidents read a version 2 incident")
		}
	})
}

func TestIncidentThreadAndVersion(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		v0, err := db.IncidentsVersion()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.TrackIncident(setbot.Incident{Key: "SET-3", Priority: setbot.L1}, incNow); err != nil {
			t.Fatal(err)
		}
		v1, _ := db.IncidentsVersion()
		if v1 == v0 {
			t.Fatal("tracking did not change the version")
		}
		var roots []setbot.PostID
		for _, try := range []setbot.PostID{"first", "second"} {
			err := db.Update(incNow, func(tx *Tx) error {
				root, err := tx.SetIncidentThread("SET-3", try)
				roots = append(roots, root)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if roots[0] != "first" || roots[1] != "first" {
			t.Errorf("threads %v: the first one must stay", roots)
		}
		if v2, _ := db.IncidentsVersion(); v2 == v1 {
			t.Error("setting the thread did not change the version")
		}
		err = db.Update(incNow, func(tx *Tx) error {
			_, err := tx.SetIncidentThread("SET-404", "x")
			return err
		})
		if setbot.ErrorCode(err) != setbot.ENotFound {
			t.Errorf("thread of an unknown incident: %v", err)
		}
		v3, _ := db.IncidentsVersion()
		if _, err := db.OpenIncidents(); err != nil {
			t.Fatal(err)
		}
		if v4, _ := db.IncidentsVersion(); v4 != v3 {
			t.Error("reading changed the version")
		}
	})
}

// BenchmarkOpenIncidents10k reads 10,000 open incidents from the store.
func BenchmarkOpenIncidents10k(b *testing.B) {
	db, err := Open(b.TempDir() + "/setbot.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Update(incNow, func(tx *Tx) error {
		for i := range 10000 {
			if _, _, err := tx.TrackIncident(setbot.Incident{Key: setbot.IssueKey("SET-" + strconv.Itoa(i+1)), Priority: setbot.L2}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var open []setbot.Incident
	for b.Loop() {
		open, err = db.OpenIncidentsInto(open) // as the timer loop reads them
		if err != nil || len(open) != 10000 {
			b.Fatalf("%d open, %v", len(open), err)
		}
	}
}

// The Tx methods in a transaction of their own, for these tests (setbot
// calls them inside the transaction that also queues what is said).

func resolve(db *DB, key setbot.IssueKey, at time.Time) (in setbot.Incident, changed bool, err error) {
	err = db.Update(at, func(tx *Tx) error {
		in, changed, err = tx.ResolveIncident(key)
		return err
	})
	return in, changed, err
}

func snooze(db *DB, key setbot.IssueKey, until, now time.Time) (in setbot.Incident, err error) {
	err = db.Update(now, func(tx *Tx) error {
		in, err = tx.Snooze(key, until)
		return err
	})
	return in, err
}

func edit(db *DB, key setbot.IssueKey, now time.Time, fn func(setbot.Incident) setbot.Incident) (out setbot.Incident, err error) {
	err = db.Update(now, func(tx *Tx) error {
		out, err = tx.EditIncident(key, fn)
		return err
	})
	return out, err
}
