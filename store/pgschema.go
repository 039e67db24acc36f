package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// setbot creates and migrates its PostgreSQL tables itself. The schema's
// version is the number of migrations applied, kept in
// setbot_schema_version; a database at a version this build does not know
// is refused, as bbolt refuses a file from a newer setbot. Migrations run
// in one transaction under an advisory lock, so that replicas starting at
// once apply each migration once; a failed one leaves the schema as it
// was.

// schemaLockKey is the pg_advisory_xact_lock key of setbot's migrations:
// "setbot" and 1 in its bytes, far from small keys others might choose.
const schemaLockKey int64 = 0x736574626f740001

// migrations are applied in order; migration i brings the schema from
// version i to i+1. They only ever grow at the end.
var migrations = [][]string{
	{ // 1: the buckets, their sequences, blob content and the leader lease.
		`CREATE TABLE setbot_kv (
			bucket text COLLATE "C" NOT NULL,
			key    bytea NOT NULL,
			value  bytea NOT NULL,
			PRIMARY KEY (bucket, key))`,
		`CREATE TABLE setbot_seq (
			bucket text COLLATE "C" PRIMARY KEY,
			seq    bigint NOT NULL)`,
		`CREATE TABLE setbot_blob_chunks (
			key  text COLLATE "C" NOT NULL,
			n    integer NOT NULL,
			data bytea NOT NULL,
			PRIMARY KEY (key, n))`,
		`CREATE TABLE setbot_lease (
			id     integer PRIMARY KEY CHECK (id = 1),
			epoch  bigint NOT NULL DEFAULT 0,
			holder text NOT NULL DEFAULT '',
			since  timestamptz)`,
		`INSERT INTO setbot_lease (id) VALUES (1)`,
	},
}

// schemaVersion is the version this build migrates to.
func schemaVersion() int { return len(migrations) }

// migrate brings the schema to schemaVersion, or refuses a newer one.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer tx.Rollback(ctx) // after a commit it does nothing
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLockKey); err != nil {
		return fmt.Errorf("lock the schema: %w", err)
	}
	_, err = tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS setbot_schema_version (
		id      integer PRIMARY KEY CHECK (id = 1),
		version integer NOT NULL)`)
	if err != nil {
		return fmt.Errorf("create setbot_schema_version: %w", err)
	}
	var v int
	err = tx.QueryRow(ctx, `SELECT version FROM setbot_schema_version WHERE id = 1`).Scan(&v)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if v > schemaVersion() {
		return fmt.Errorf("its schema was made by a newer setbot (version %d; this build knows up to %d): run the newer setbot or restore a backup", v, schemaVersion())
	}
	if v == schemaVersion() {
		return tx.Commit(ctx)
	}
	for i := v; i < schemaVersion(); i++ {
		for _, stmt := range migrations[i] {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("migrate the schema to version %d: %w", i+1, err)
			}
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO setbot_schema_version (id, version) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`, schemaVersion())
	if err != nil {
		return fmt.Errorf("record the schema version: %w", err)
	}
	return tx.Commit(ctx)
}
