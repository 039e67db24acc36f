// Package pgtest gives tests a PostgreSQL schema of their own in the
// database SETBOT_STORE_TEST_DSN names (devstack's "setbot" database),
// so that tests of the postgres store never see each other's rows, and
// drops it when the test ends. It is test support: the only other
// importer of pgx besides package store.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable that holds the test database's DSN
// (`eval "$(devstack/stack env)"` sets it).
const EnvDSN = "SETBOT_STORE_TEST_DSN"

// Schema creates a fresh schema in the test database and returns a DSN
// whose search_path is that schema. Without EnvDSN the test is skipped
// when required is false and fails when it is true (an end-to-end run,
// which always has the devstack database).
func Schema(t testing.TB, required bool) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		if required {
			t.Fatalf("%s is not set: run `eval \"$(devstack/stack env)\"` with the devstack started", EnvDSN)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against", EnvDSN)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	Exec(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { Exec(t, base, "DROP SCHEMA "+name+" CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL", EnvDSN)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs statements on a connection of their own, failing the test
// when one fails.
func Exec(t testing.TB, dsn string, sqls ...string) {
	t.Helper()
	if err := TryExec(dsn, sqls...); err != nil {
		t.Fatal(err)
	}
}

// TryExec is Exec for a goroutine other than the test's.
func TryExec(dsn string, sqls ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to the test database: %w", err)
	}
	defer conn.Close(ctx)
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}
