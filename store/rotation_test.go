package store

import (
	"slices"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

var rotNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func TestOverridesRoundTrip(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.PutOverrides([]setbot.Override{
			{WeekStart: "2026-12-07", Role: setbot.RoleLead, User: "max"},
			{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "ann"},
			{WeekStart: "2026-11-30", Role: setbot.RoleBackup, User: "bob"},
		}, "lee", rotNow)
		if err != nil {
			t.Fatal(err)
		}
		// The same week and role again replaces the first.
		if err := db.PutOverrides([]setbot.Override{{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "cat"}}, "lee", rotNow); err != nil {
			t.Fatal(err)
		}
		db = s.reopen(t, db)
		got, err := db.Overrides()
		if err != nil {
			t.Fatal(err)
		}
		want := []setbot.Override{
			{WeekStart: "2026-11-30", Role: setbot.RoleBackup, User: "bob", By: "lee"},
			{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "cat", By: "lee"},
			{WeekStart: "2026-12-07", Role: setbot.RoleLead, User: "max", By: "lee"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Overrides = %v, want %v", got, want)
		}
		// They build a roster.
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Skip("no tzdata")
		}
		r, err := setbot.NewRoster(ny, nil, got)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := r.At(time.Date(2026, 12, 1, 12, 0, 0, 0, ny)); s.Primary != "cat" || s.Backup != "bob" {
			t.Errorf("roster from stored overrides: %+v", s)
		}

		// Deleting puts the configured roster back for that seat.
		if err := db.Update(rotNow, func(tx *Tx) error { return tx.DeleteOverride("2026-11-30", setbot.RoleBackup) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Overrides(); len(got) != 2 || got[0].Role != setbot.RolePrimary {
			t.Errorf("after delete: %v", got)
		}
		n, err := db.PruneOverrides("2026-12-07")
		if err != nil || n != 1 {
			t.Fatalf("PruneOverrides = %d, %v; want 1", n, err)
		}
		if got, _ := db.Overrides(); len(got) != 1 || got[0].WeekStart != "2026-12-07" {
			t.Errorf("after prune: %v", got)
		}
	})
}

func TestPutOverrideRefusesBadInput(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		for _, o := range []setbot.Override{
			{WeekStart: "2026-12-01", Role: setbot.RoleLead, User: "x"}, // a Tuesday
			{WeekStart: "next", Role: setbot.RoleLead, User: "x"},
			{WeekStart: "2026-11-30", User: "x"},
			{WeekStart: "2026-11-30", Role: setbot.RoleLead},
		} {
			// A bad one in a batch stores none of the batch.
			err := db.PutOverrides([]setbot.Override{{WeekStart: "2026-11-30", Role: setbot.RoleBackup, User: "ok"}, o}, "lee", rotNow)
			if err == nil {
				t.Errorf("PutOverrides(%+v) accepted", o)
			}
		}
		if got, _ := db.Overrides(); len(got) != 0 {
			t.Errorf("a failed batch left %v", got)
		}
	})
}

func TestOverrideFromANewerSetbotIsRefused(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(rotNow, func(tx *Tx) error {
			return tx.tx.Bucket(bucketOverrides).Put([]byte("2026-11-30/lead"), []byte(`{"v":2,"user":"x"}`))
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Overrides(); err == nil {
			t.Error("a version 2 override was read")
		}
	})
}

func TestClaimNotice(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		ok, err := db.ClaimNotice("gap", "2026-11-30/backup", "nobody", rotNow)
		if err != nil || !ok {
			t.Fatalf("first claim = %v, %v", ok, err)
		}
		db = s.reopen(t, db)
		if ok, _ := db.ClaimNotice("gap", "2026-11-30/backup", "nobody", rotNow.Add(time.Hour)); ok {
			t.Error("claimed twice across a restart")
		}
		at, ok, err := db.NoticeSent("gap", "2026-11-30/backup", "nobody")
		if err != nil || !ok || !at.Equal(rotNow) {
			t.Errorf("NoticeSent = %v %v %v, want %v", at, ok, err, rotNow)
		}
		if ok, _ := db.ClaimNotice("gap", "2026-11-30/lead", "nobody", rotNow); !ok {
			t.Error("a different notice was refused")
		}
	})
}
