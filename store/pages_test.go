package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

var (
	pgNow   = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	pgAck   = 15 * time.Minute
	pgShift = setbot.Shift{Primary: "ann", Backup: "bob", Lead: "lee"}
)

func addTestPage(t *testing.T, db *DB, id string, created time.Time) {
	t.Helper()
	p := setbot.Page{ID: id, Text: "checkout is down", Channel: "c1", Root: setbot.PostID("root-" + id), By: "sam", Issue: "SET-7", Created: created}
	if err := db.AddPage(p, created); err != nil {
		t.Fatal(err)
	}
}

// claimOnce claims concurrently from several callers and returns how many
// claimed and the decision.
func claimOnce(t *testing.T, db *DB, id string, now time.Time) (int, setbot.PageDecision) {
	t.Helper()
	return claimRace(t, func() (setbot.PageDecision, bool, error) {
		_, d, claimed, err := db.ClaimPageStep(id, pgShift, pgAck, now)
		return d, claimed, err
	})
}

func TestPageLadderSurvivesRestart(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		addTestPage(t, db, "p1", pgNow)
		if err := db.AddPage(setbot.Page{ID: "p1", Created: pgNow}, pgNow); setbot.ErrorCode(err) != setbot.EConflict {
			t.Errorf("a second AddPage with the same id: %v", err)
		}

		n, d := claimOnce(t, db, "p1", pgNow)
		if n != 1 || d.Step != setbot.StepPrimary || d.Target != "ann" {
			t.Fatalf("first page: %d claims, %+v", n, d)
		}
		// Before ack_within runs out nothing is claimed.
		if n, _ := claimOnce(t, db, "p1", pgNow.Add(pgAck-time.Second)); n != 0 {
			t.Fatalf("claimed %d before the timeout", n)
		}

		// Restart 40 minutes later: the backup is due, once; not the primary
		// again, not the lead yet.
		db = s.reopen(t, db)
		restart := pgNow.Add(40 * time.Minute)
		n, d = claimOnce(t, db, "p1", restart)
		if n != 1 || d.Step != setbot.StepBackup || d.Target != "bob" || d.Reason != setbot.ReasonAckTimeoutBackup {
			t.Fatalf("after restart: %d claims, %+v", n, d)
		}
		p, ok, err := db.Page("p1")
		if err != nil || !ok || p.Step != setbot.StepBackup || !p.SteppedAt.Equal(restart) || p.Targets != [3]setbot.Username{"ann", "bob", ""} {
			t.Fatalf("stored page %+v %v %v", p, ok, err)
		}
		if sent, ok, _ := db.NoticeSent("page", "p1", "2"); !ok || !sent.Equal(restart) {
			t.Errorf("notification log for step 2: %v %v", sent, ok)
		}
		// The lead's turn is ack_within after the backup's page.
		if n, _ := claimOnce(t, db, "p1", restart.Add(pgAck-time.Second)); n != 0 {
			t.Fatal("the lead was paged early")
		}

		// The backup acknowledges; the ladder stops and a second ack changes nothing.
		p, changed, err := ackPage(db, "p1", "bob", restart.Add(5*time.Minute))
		if err != nil || !changed || p.AckedBy != "bob" {
			t.Fatalf("AckPage = %+v %v %v", p, changed, err)
		}
		if p, changed, _ := ackPage(db, "p1", "ann", restart.Add(6*time.Minute)); changed || p.AckedBy != "bob" {
			t.Errorf("second ack: changed %v, acked by %q", changed, p.AckedBy)
		}
		_, d, claimed, err := db.ClaimPageStep("p1", pgShift, pgAck, restart.Add(time.Hour))
		if err != nil || claimed || d.Reason != setbot.ReasonAcked {
			t.Errorf("after the ack: %+v claimed %v %v", d, claimed, err)
		}
	})
}

func TestPageLadderToTheLeadAndBeyond(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		addTestPage(t, db, "p2", pgNow)
		var got []string
		for _, at := range []time.Duration{0, pgAck, 2 * pgAck, 2 * pgAck, 3 * pgAck, 4 * pgAck, 5 * pgAck, 6 * pgAck, 6 * pgAck, 20 * pgAck} {
			if _, d, claimed, err := db.ClaimPageStep("p2", pgShift, pgAck, pgNow.Add(at)); err != nil {
				t.Fatal(err)
			} else if claimed {
				got = append(got, d.Step.String()+" "+string(d.Target))
			}
		}
		want := "[primary ann backup bob lead lee round 1  round 2  round 3  give up ]"
		if fmt.Sprint(got) != want {
			t.Errorf("claimed %v, want %s, each once", got, want)
		}
	})
}

func TestClaimPageStepBelievesTheLog(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		addTestPage(t, db, "p3", pgNow)
		if _, _, claimed, _ := db.ClaimPageStep("p3", pgShift, pgAck, pgNow); !claimed {
			t.Fatal("first step not claimed")
		}
		// The page record is rewritten as it was before the step (a restore, a
		// bug): the log still says the primary was paged.
		err := db.Update(pgNow, func(tx *Tx) error {
			return tx.putPage(setbot.Page{ID: "p3", Created: pgNow})
		})
		if err != nil {
			t.Fatal(err)
		}
		p, _, claimed, err := db.ClaimPageStep("p3", pgShift, pgAck, pgNow.Add(time.Minute))
		if err != nil || claimed || p.Step != setbot.StepPrimary || !p.SteppedAt.Equal(pgNow) {
			t.Fatalf("after the rewrite: %+v claimed %v %v", p, claimed, err)
		}
		if _, d, claimed, _ := db.ClaimPageStep("p3", pgShift, pgAck, pgNow.Add(pgAck)); !claimed || d.Step != setbot.StepBackup {
			t.Errorf("the ladder did not go on: %+v %v", d, claimed)
		}
	})
}

func TestOpenAndPrunePages(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		addTestPage(t, db, "new", pgNow.Add(time.Hour))
		addTestPage(t, db, "old", pgNow)
		addTestPage(t, db, "acked", pgNow.Add(30*time.Minute))
		if _, _, err := ackPage(db, "acked", "ann", pgNow.Add(31*time.Minute)); err != nil {
			t.Fatal(err)
		}
		open, err := db.OpenPages()
		if err != nil || len(open) != 2 || open[0].ID != "old" || open[1].ID != "new" {
			t.Fatalf("OpenPages = %+v, %v", open, err)
		}
		if open[0].Root != "root-old" || open[0].Issue != "SET-7" || open[0].By != "sam" || !open[0].Created.Equal(pgNow) {
			t.Errorf("round trip lost fields: %+v", open[0])
		}
		if _, _, claimed, _ := db.ClaimPageStep("old", pgShift, pgAck, pgNow); !claimed {
			t.Fatal("claim")
		}
		n, err := db.PrunePages(pgNow.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("PrunePages = %d, %v", n, err)
		}
		if _, ok, _ := db.Page("old"); ok {
			t.Error("old page kept")
		}
		if _, ok, _ := db.NoticeSent("page", "old", "1"); ok {
			t.Error("old page's log kept")
		}
		if _, _, err := ackPage(db, "old", "ann", pgNow); setbot.ErrorCode(err) != setbot.ENotFound {
			t.Errorf("ack of a pruned page: %v", err)
		}
		if _, _, _, err := db.ClaimPageStep("old", pgShift, pgAck, pgNow); setbot.ErrorCode(err) != setbot.ENotFound {
			t.Errorf("claim of a pruned page: %v", err)
		}
	})
}

func TestPageFromANewerSetbotIsRefused(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(pgNow, func(tx *Tx) error {
			return tx.tx.Bucket(bucketPages).Put([]byte("p9"), []byte(`{"v":2,"id":"p9"}`))
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Page("p9"); err == nil {
			t.Error("a version 2 page was read")
		}
	})
}

func TestAutomaticPageGetsItsThreadAndIssueOnce(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		p := setbot.Page{ID: "auto-1", Text: "L1 intake", Channel: "c1", By: "sam", Created: pgNow}
		if err := db.AddPage(p, pgNow); err != nil {
			t.Fatal(err)
		}
		err := db.Update(pgNow, func(tx *Tx) error {
			got, ok, err := tx.SetPageIssue("auto-1", "SET-9", "https://jira/SET-9")
			if err != nil || !ok || got.Issue != "SET-9" || got.IssueURL != "https://jira/SET-9" {
				t.Errorf("SetPageIssue = %+v, %v, %v", got, ok, err)
			}
			if _, ok, err := tx.SetPageIssue("nope", "SET-9", ""); ok || err != nil {
				t.Errorf("SetPageIssue of a missing page: %v, %v", ok, err)
			}
			got, changed, err := tx.SetPageRoot("auto-1", "root-1")
			if err != nil || !changed || got.Root != "root-1" || got.Issue != "SET-9" {
				t.Errorf("SetPageRoot = %+v, %v, %v", got, changed, err)
			}
			if got, changed, _ := tx.SetPageRoot("auto-1", "root-2"); changed || got.Root != "root-1" {
				t.Errorf("a second SetPageRoot changed the thread: %+v", got)
			}
			if _, _, err := tx.SetPageRoot("nope", "r"); setbot.ErrorCode(err) != setbot.ENotFound {
				t.Errorf("SetPageRoot of a missing page: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := db.Page("auto-1")
		if err != nil || !ok || got.Root != "root-1" || got.Issue != "SET-9" || got.IssueURL != "https://jira/SET-9" {
			t.Errorf("stored page = %+v, %v, %v", got, ok, err)
		}
	})
}

func TestAckPageInTransaction(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		addTestPage(t, db, "p1", pgNow)
		at := pgNow.Add(time.Minute)
		err := db.Update(at, func(tx *Tx) error {
			p, changed, err := tx.AckPage("p1", "bob")
			if err != nil || !changed || p.AckedBy != "bob" || !p.AckedAt.Equal(at) {
				t.Errorf("first ack = %+v, %v, %v", p, changed, err)
			}
			p, changed, err = tx.AckPage("p1", "ann")
			if err != nil || changed || p.AckedBy != "bob" {
				t.Errorf("second ack = %+v, %v, %v", p, changed, err)
			}
			if _, _, err := tx.AckPage("nope", "ann"); setbot.ErrorCode(err) != setbot.ENotFound {
				t.Errorf("ack of a missing page: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if open, _ := db.OpenPages(); len(open) != 0 {
			t.Errorf("an acknowledged page is still open: %+v", open)
		}
	})
}

// ackPage is Tx.AckPage in a transaction of its own, at at.
func ackPage(db *DB, id string, by setbot.Username, at time.Time) (p setbot.Page, changed bool, err error) {
	err = db.Update(at, func(tx *Tx) error {
		p, changed, err = tx.AckPage(id, by)
		return err
	})
	return p, changed, err
}
