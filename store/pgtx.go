package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
)

// A PostgreSQL transaction reads through to the database, but keeps its
// writes in memory until it must send them: before a walk (a cursor,
// ForEach, KeyN), before blob content, when flushAt of them wait, and
// before the commit. They go then as one batch, one round trip. Get
// looks at the waiting writes first, so the transaction sees its own
// writes as bbolt's does.

// flushAt is how many waiting writes make the transaction send them
// early, so that a transaction writing a whole store (Copy) does not
// hold it all in memory.
const flushAt = 4096

// errReadOnly is a write in a view.
var errReadOnly = errors.New("store: write in a read-only transaction")

const (
	sqlGet  = `SELECT value FROM setbot_kv WHERE bucket = $1 AND key = $2`
	sqlPuts = `INSERT INTO setbot_kv (bucket, key, value)
		SELECT $1, k, v FROM unnest($2::bytea[], $3::bytea[]) AS u(k, v)
		ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value`
	sqlDeletes = `DELETE FROM setbot_kv WHERE bucket = $1 AND key = ANY($2::bytea[])`
	sqlSeq     = `SELECT seq FROM setbot_seq WHERE bucket = $1`
	sqlSetSeq  = `INSERT INTO setbot_seq (bucket, seq) VALUES ($1, $2)
		ON CONFLICT (bucket) DO UPDATE SET seq = EXCLUDED.seq`
	sqlCount = `SELECT count(*) FROM setbot_kv WHERE bucket = $1`
)

// pgTx is one attempt of a PostgreSQL transaction. Not safe for
// concurrent use (nor is a bbolt transaction).
type pgTx struct {
	ctx     context.Context
	e       *pgEngine
	tx      pgx.Tx
	write   bool
	failed  error // the failure that poisoned it (engine.go)
	buckets map[string]*pgBucket
	waiting int // writes not yet sent
}

func newPGTx(ctx context.Context, e *pgEngine, tx pgx.Tx, write bool) *pgTx {
	return &pgTx{ctx: ctx, e: e, tx: tx, write: write, buckets: map[string]*pgBucket{}}
}

func (t *pgTx) err() error                { return t.failed }
func (t *pgTx) createBucket([]byte) error { return nil }

// fail poisons the transaction with its first failure, and returns it.
func (t *pgTx) fail(err error) error {
	if t.failed == nil {
		t.failed = err
	}
	return t.failed
}

func (t *pgTx) Bucket(name []byte) kvBucket {
	b := t.buckets[string(name)]
	if b == nil {
		b = &pgBucket{t: t, name: string(name), writes: map[string]pgWrite{}}
		t.buckets[b.name] = b
	}
	return b
}

// flush sends the waiting writes and sequences in one batch.
func (t *pgTx) flush() error {
	if t.failed != nil || !t.write {
		return t.failed
	}
	batch := &pgx.Batch{}
	for _, name := range slices.Sorted(maps.Keys(t.buckets)) {
		t.buckets[name].queue(batch)
	}
	t.waiting = 0
	if batch.Len() == 0 {
		return nil
	}
	if err := t.tx.SendBatch(t.ctx, batch).Close(); err != nil {
		return t.fail(fmt.Errorf("postgres store: write: %w", err))
	}
	return nil
}

// pgWrite is a write waiting to be sent: a value, or a deletion.
type pgWrite struct {
	value   []byte
	deleted bool
}

// pgBucket is a bucket in one pgTx.
type pgBucket struct {
	t      *pgTx
	name   string
	writes map[string]pgWrite
	seq    uint64
	seqOK  bool // seq was read (or set) in this transaction
	seqNew bool // seq changed and is not sent yet
}

// queue adds the bucket's waiting writes to batch, in key order (so that
// two transactions writing the same keys lock them in the same order),
// and forgets them.
func (b *pgBucket) queue(batch *pgx.Batch) {
	var putK, putV, delK [][]byte
	for _, k := range slices.Sorted(maps.Keys(b.writes)) {
		if w := b.writes[k]; w.deleted {
			delK = append(delK, []byte(k))
		} else {
			putK, putV = append(putK, []byte(k)), append(putV, w.value)
		}
	}
	clear(b.writes)
	if len(putK) > 0 {
		batch.Queue(sqlPuts, b.name, putK, putV)
	}
	if len(delK) > 0 {
		batch.Queue(sqlDeletes, b.name, delK)
	}
	if b.seqNew {
		batch.Queue(sqlSetSeq, b.name, int64(b.seq))
		b.seqNew = false
	}
}

func (b *pgBucket) Get(key []byte) []byte {
	t := b.t
	if t.failed != nil {
		return nil
	}
	if w, ok := b.writes[string(key)]; ok {
		if w.deleted {
			return nil
		}
		return w.value
	}
	var v []byte
	err := t.tx.QueryRow(t.ctx, sqlGet, b.name, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.fail(fmt.Errorf("postgres store: read %s: %w", b.name, err))
		return nil
	}
	if v == nil {
		v = []byte{} // found, and empty: not absent
	}
	return v
}

func (b *pgBucket) Put(key, value []byte) error {
	return b.set(key, pgWrite{value: append([]byte{}, value...)})
}

func (b *pgBucket) Delete(key []byte) error { return b.set(key, pgWrite{deleted: true}) }

func (b *pgBucket) set(key []byte, w pgWrite) error {
	t := b.t
	switch {
	case t.failed != nil:
		return t.failed
	case !t.write:
		return errReadOnly
	case len(key) == 0:
		return errors.New("store: empty key")
	}
	b.writes[string(key)] = w
	if t.waiting++; t.waiting >= flushAt {
		return t.flush()
	}
	return nil
}

func (b *pgBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.t.failed
}

func (b *pgBucket) Sequence() uint64 {
	t := b.t
	if b.seqOK || t.failed != nil {
		return b.seq
	}
	var s int64
	err := t.tx.QueryRow(t.ctx, sqlSeq, b.name).Scan(&s)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.fail(fmt.Errorf("postgres store: read the sequence of %s: %w", b.name, err))
		return 0
	}
	b.seq, b.seqOK = uint64(s), true
	return b.seq
}

func (b *pgBucket) NextSequence() (uint64, error) {
	s := b.Sequence() + 1
	if err := b.SetSequence(s); err != nil {
		return 0, err
	}
	return s, nil
}

func (b *pgBucket) SetSequence(seq uint64) error {
	switch {
	case b.t.failed != nil:
		return b.t.failed
	case !b.t.write:
		return errReadOnly
	}
	b.seq, b.seqOK, b.seqNew = seq, true, true
	return nil
}

func (b *pgBucket) KeyN() int {
	t := b.t
	if t.flush() != nil {
		return 0
	}
	var n int
	if err := t.tx.QueryRow(t.ctx, sqlCount, b.name).Scan(&n); err != nil {
		t.fail(fmt.Errorf("postgres store: count %s: %w", b.name, err))
		return 0
	}
	return n
}
