package store

import (
	"hash/maphash"
	"sync"
)

// decodeCache keeps the decoded values of a bucket whose values are read
// far more often than they change (incidents, pages: every timer pass
// reads them all). Every write to such a bucket, deletions included, moves
// its sequence: while the sequence is the one the cache last saw, a read
// is served from the cache without walking the bucket. Otherwise it walks
// the bucket and decodes only the values whose bytes changed. Safe for
// concurrent use.
//
// To tell a changed value it keeps a 64-bit hash of each value's bytes,
// not the bytes: the bytes beside the decoded value would hold every
// value twice (for 10,000 incidents, twice the heap; see
// BenchmarkIncidentCache10k). The hash is maphash with a seed of the
// cache's own, drawn at random when it first fills: fast (the runtime's
// map hash), and no value can be written to collide with another on
// purpose. A collision would serve a stale value, but the only comparison
// is of a key's new bytes with its own previous bytes, one pair per
// change: a pair collides with probability 2⁻⁶⁴, so a billion changes
// give less than one chance in 10¹⁰ of a single stale read.
type decodeCache[T any] struct {
	mu    sync.Mutex
	seed  maphash.Seed // the zero Seed is not valid: set with byKey
	gen   uint64
	byKey map[string]*cached[T]
	list  []*cached[T] // in key order, as of seq
	seq   uint64
	valid bool
}

type cached[T any] struct {
	sum uint64 // maphash of the bytes val was decoded from
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
		c.byKey, c.seed = map[string]*cached[T]{}, maphash.MakeSeed()
	}
	c.gen++
	c.valid, c.list = false, c.list[:0]
	err := b.ForEach(func(k, v []byte) error {
		e, sum := c.byKey[string(k)], maphash.Bytes(c.seed, v)
		if e == nil || e.sum != sum {
			val, err := decode(v)
			if err != nil {
				return err
			}
			if e == nil {
				e = &cached[T]{}
				c.byKey[string(k)] = e
			}
			e.sum, e.val = sum, val
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
