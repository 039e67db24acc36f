package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/e2e/pgtest"
	"github.com/setbot/setbot/store"
)

// TestMigrateStoreRefusesBadArguments: a wrong argument is named, never
// with what may be a password, and nothing is opened.
func TestMigrateStoreRefusesBadArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-from", "bbolt:/x.db"}, 2, "give -from and -to"},
		{[]string{"-from", "sqlite:/x.db", "-to", "bbolt:/y.db"}, 1, `want bbolt:PATH or postgres:DSN, got "sqlite:/x.db"`},
		{[]string{"-from", "postgresql://u:hunter2@db/setbot", "-to", "bbolt:/y.db"}, 1, `got "…@db/setbot"`},
		{[]string{"-from", "postgres:", "-to", "bbolt:/y.db"}, 1, "postgres: needs a DSN, or SETBOT_STORE_DSN set"},
	} {
		var out, errs bytes.Buffer
		code := migrateStore(c.args, noEnv, &out, &errs)
		if code != c.code || !strings.Contains(errs.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %d naming %q", c.args, code, errs.String(), c.code, c.want)
		}
		if strings.Contains(errs.String(), "hunter2") {
			t.Errorf("%v: the password was printed", c.args)
		}
	}
}

// TestMigrateStorePostgresAndBack copies a bbolt store with an incident and
// an outbox job into PostgreSQL, then back into a new bbolt file, and
// refuses to copy into the now non-empty database. It needs
// SETBOT_STORE_TEST_DSN (the devstack's database; `make test` sets it).
func TestMigrateStorePostgresAndBack(t *testing.T) {
	dsn := pgtest.Schema(t, false)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	db, err := store.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	err = db.Update(now, func(tx *store.Tx) error {
		if _, _, err := tx.TrackIncident(setbot.Incident{Key: "SET-1", Priority: setbot.L1, Opened: now}); err != nil {
			return err
		}
		_, err := tx.Enqueue("post", "", setbot.Reply{Text: "waiting"}, time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := func(k string) string {
		if k == envStoreDSN {
			return dsn
		}
		return ""
	}
	var out, errs bytes.Buffer
	if code := migrateStore([]string{"-from", "bbolt:" + src, "-to", "postgres:"}, env, &out, &errs); code != 0 {
		t.Fatalf("bbolt -> postgres: exit %d: %s", code, errs.String())
	}
	for _, want := range []string{"copied bbolt store into postgres store", "incidents", "outbox"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	back := filepath.Join(dir, "back.db")
	out.Reset()
	if code := migrateStore([]string{"-from", "postgres:", "-to", "bbolt:" + back}, env, &out, &errs); code != 0 {
		t.Fatalf("postgres -> bbolt: exit %d: %s", code, errs.String())
	}
	db, err = store.Open(back)
	if err != nil {
		t.Fatal(err)
	}
	incs, err := db.OpenIncidents()
	db.Close()
	if err != nil || len(incs) != 1 || incs[0].Key != "SET-1" {
		t.Errorf("after the round trip: %v, %v", incs, err)
	}
	errs.Reset()
	if code := migrateStore([]string{"-from", "bbolt:" + src, "-to", "postgres:"}, env, &out, &errs); code == 0 ||
		!strings.Contains(errs.String(), "not empty") {
		t.Errorf("copying into a non-empty store: exit %d, %q; want a refusal", code, errs.String())
	}
}
