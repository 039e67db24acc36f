package store

import (
	"fmt"
	"slices"
)

// cursorBatch is how many rows a PostgreSQL cursor fetches at a time:
// enough that a walk of a small bucket is one round trip, few enough
// that a Seek into a large one never reads the whole table.
const cursorBatch = 256

const (
	sqlFirst  = `SELECT key, value FROM setbot_kv WHERE bucket = $1 ORDER BY key LIMIT $2`
	sqlLast   = `SELECT key, value FROM setbot_kv WHERE bucket = $1 ORDER BY key DESC LIMIT $2`
	sqlFrom   = `SELECT key, value FROM setbot_kv WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`
	sqlAfter  = `SELECT key, value FROM setbot_kv WHERE bucket = $1 AND key > $2 ORDER BY key LIMIT $3`
	sqlBefore = `SELECT key, value FROM setbot_kv WHERE bucket = $1 AND key < $2 ORDER BY key DESC LIMIT $3`
)

// pgCursor walks a bucket a batch of rows at a time. rows holds one
// batch in key order and i the position in it; ascEnd and descEnd say the
// batch reaches the bucket's last or first key, so that walking off it
// needs no query to learn there is nothing more.
type pgCursor struct {
	b       *pgBucket
	rows    []pgRow
	i       int
	ascEnd  bool
	descEnd bool
}

type pgRow struct{ k, v []byte }

func (b *pgBucket) Cursor() kvCursor { return &pgCursor{b: b} }

func (c *pgCursor) First() ([]byte, []byte) {
	c.load(false, sqlFirst, c.b.name, cursorBatch)
	c.descEnd = true
	return c.at(0)
}

func (c *pgCursor) Last() ([]byte, []byte) {
	c.load(true, sqlLast, c.b.name, cursorBatch)
	c.ascEnd = true
	return c.at(len(c.rows) - 1)
}

func (c *pgCursor) Seek(seek []byte) ([]byte, []byte) {
	c.load(false, sqlFrom, c.b.name, seek, cursorBatch)
	return c.at(0)
}

func (c *pgCursor) Next() ([]byte, []byte) {
	if c.i+1 < len(c.rows) {
		return c.at(c.i + 1)
	}
	if c.ascEnd || len(c.rows) == 0 {
		c.i = len(c.rows)
		return nil, nil
	}
	last := c.rows[len(c.rows)-1].k
	c.load(false, sqlAfter, c.b.name, last, cursorBatch)
	c.descEnd = false
	return c.at(0)
}

func (c *pgCursor) Prev() ([]byte, []byte) {
	if c.i-1 >= 0 && c.i-1 < len(c.rows) {
		return c.at(c.i - 1)
	}
	if c.descEnd || len(c.rows) == 0 {
		c.i = -1
		return nil, nil
	}
	first := c.rows[0].k
	c.load(true, sqlBefore, c.b.name, first, cursorBatch)
	c.ascEnd = false
	return c.at(len(c.rows) - 1)
}

// at moves to row i of the batch and returns it, or nil past either end.
func (c *pgCursor) at(i int) ([]byte, []byte) {
	c.i = i
	if i < 0 || i >= len(c.rows) {
		return nil, nil
	}
	return c.rows[i].k, c.rows[i].v
}

// load replaces the batch with the rows query returns (descending ones
// turned to key order), after sending the transaction's waiting writes.
// A batch shorter than cursorBatch reaches the end it walked towards.
func (c *pgCursor) load(desc bool, query string, args ...any) {
	t := c.b.t
	c.rows, c.ascEnd, c.descEnd = c.rows[:0], false, false
	if t.flush() != nil {
		return
	}
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		t.fail(fmt.Errorf("postgres store: walk %s: %w", c.b.name, err))
		return
	}
	defer rows.Close()
	for rows.Next() {
		var r pgRow
		if err := rows.Scan(&r.k, &r.v); err != nil {
			t.fail(fmt.Errorf("postgres store: walk %s: %w", c.b.name, err))
			return
		}
		if r.v == nil {
			r.v = []byte{}
		}
		c.rows = append(c.rows, r)
	}
	if err := rows.Err(); err != nil {
		t.fail(fmt.Errorf("postgres store: walk %s: %w", c.b.name, err))
		c.rows = c.rows[:0]
		return
	}
	if len(c.rows) < cursorBatch {
		if desc {
			c.descEnd = true
		} else {
			c.ascEnd = true
		}
	}
	if desc {
		slices.Reverse(c.rows)
	}
}
