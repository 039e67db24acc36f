package store

import (
	"bytes"
	"sync"
)

// decodeCache keeps the decoded values of a bucket whose values are read
// far more often than they change (incidents, pages: every timer pass
// reads them all). Every write to such a bucket, deletions included, moves
// its sequence: while the sequence is the one the cache last saw, a read
// is served from the cache without walking the bucket. Otherwise it walks
// the bucket and decodes only the values whose bytes changed. Safe for
// concurrent use.
type decodeCache[T any] struct {
	mu    sync.Mutex
	gen   uint64
	byKey map[string]*cached[T]
	list  []*cached[T] // in key order, as of seq
	seq   uint64
	valid bool
}

type cached[T any] struct {
	raw []byte
	val T
	gen uint64 // the read that last saw it
}

// each calls keep for every value of b (decoded, or from the cache) and
// appends those it accepts to dst, which it returns. Keys gone from b are
// forgotten.
func (c *decodeCache[T]) each(b kvBucket, decode func([]byte) (T, error), keep func(T) bool, dst []T) ([]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && b.Sequence() == c.seq {
		for _, e := range c.list {
			if keep(e.val) {
				dst = append(dst, e.val)
			}
		}
		return dst, nil
	}
	if c.byKey == nil {
		c.byKey = map[string]*cached[T]{}
	}
	c.gen++
	c.valid, c.list = false, c.list[:0]
	err := b.ForEach(func(k, v []byte) error {
		e := c.byKey[string(k)]
		if e == nil || !bytes.Equal(e.raw, v) {
			val, err := decode(v)
			if err != nil {
				return err
			}
			if e == nil {
				e = &cached[T]{}
				c.byKey[string(k)] = e
			}
			e.raw, e.val = append(e.raw[:0], v...), val
		}
		e.gen = c.gen
		c.list = append(c.list, e)
		if keep(e.val) {
			dst = append(dst, e.val)
		}
		return nil
	})
	for k, e := range c.byKey {
		if e.gen != c.gen {
			delete(c.byKey, k)
		}
	}
	c.seq, c.valid = b.Sequence(), err == nil
	return dst, err
}

// invalidate makes the next read walk the bucket: its sequence may be
// back at the one the cache saw with other values (Copy sets it).
func (c *decodeCache[T]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid = false
}
