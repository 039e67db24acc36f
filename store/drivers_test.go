package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/setbot/setbot/e2e/pgtest"
)

// The contract suite: every test that is about the store's behaviour,
// not about one engine's files, runs against both engines through
// forEachDriver. PostgreSQL tests need a server: envTestDSN names it
// (`eval "$(devstack/stack env)"` sets it); without it they are skipped.
// Each test gets a schema of its own, dropped when it ends.

// envTestDSN names the variable holding the PostgreSQL test database's DSN.
const envTestDSN = "SETBOT_STORE_TEST_DSN"

// testStore opens one store of one driver, again and again (a restart).
// Every DB it opens is closed when the test ends.
type testStore struct {
	driver string
	dsn    string // postgres: the DSN of the test's own schema
	path   string // bbolt: the file
}

// forEachDriver runs fn as a subtest per driver.
func forEachDriver(t *testing.T, fn func(t *testing.T, s *testStore)) {
	t.Helper()
	for _, d := range []string{driverBolt, driverPostgres} {
		t.Run(d, func(t *testing.T) { fn(t, newTestStore(t, d)) })
	}
}

// newTestStore makes an empty store's place: a directory, or a schema.
func newTestStore(t testing.TB, driver string) *testStore {
	t.Helper()
	if driver == driverBolt {
		return &testStore{driver: driver, path: filepath.Join(t.TempDir(), "setbot.db")}
	}
	return &testStore{driver: driver, dsn: testSchema(t)}
}

// pgStore is newTestStore for a PostgreSQL-only test.
func pgStore(t testing.TB) *testStore { return newTestStore(t, driverPostgres) }

// open opens the store, failing the test when it cannot.
func (s *testStore) open(t testing.TB, opts ...Option) *DB {
	t.Helper()
	db, err := s.tryOpen(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (s *testStore) tryOpen(opts ...Option) (*DB, error) {
	if s.driver == driverBolt {
		return Open(s.path, opts...)
	}
	return OpenPostgres(s.dsn, opts...)
}

// reopen closes db and opens the store again, as a restart does.
func (s *testStore) reopen(t testing.TB, db *DB, opts ...Option) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return s.open(t, opts...)
}

// testSchema creates a schema of the test's own in the test database and
// returns a DSN whose search_path is it; the schema is dropped when the
// test ends. Without envTestDSN the test is skipped.
func testSchema(t testing.TB) string { return pgtest.Schema(t, false) }

// pgExec runs statements on a connection of their own.
func pgExec(t testing.TB, dsn string, sqls ...string) { pgtest.Exec(t, dsn, sqls...) }

// pgTryExec is pgExec for a goroutine other than the test's.
func pgTryExec(dsn string, sqls ...string) error { return pgtest.TryExec(dsn, sqls...) }

// pgStrings runs a query on a PostgreSQL store's pool and returns its
// first column, as text.
func pgStrings(t testing.TB, db *DB, sql string, args ...any) []string {
	t.Helper()
	e := db.eng.(*pgEngine)
	rows, err := e.pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
