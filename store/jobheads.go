package store

import (
	"hash/maphash"
	"sync"
	"time"
)

// jobHeads keeps what the outbox's readers decide on, each queued job's
// kind and due time, so that a read decodes only the jobs it returns.
// Every lane of the dispatcher reads the outbox whenever woken and most
// jobs in it are not due (retries, scheduled reports): decoding each one's
// JSON on every read was most of a read's cost (issue 17,
// BenchmarkOutboxReads). A job's stored bytes change when it is retried,
// and another replica may change them: an entry holds a maphash of the
// bytes it was read from, as decodeCache does (see there why a collision
// is not a concern), and is read again when they differ. Safe for
// concurrent use.
type jobHeads struct {
	mu   sync.Mutex
	seed maphash.Seed // the zero Seed is not valid: set with byID
	gen  uint64
	byID map[uint64]*jobHead
}

type jobHead struct {
	sum       uint64
	kind      string
	notBefore time.Time
	gen       uint64 // the read that last saw it
}

// headsRead is one read's use of the cache, which it holds locked.
type headsRead struct{ c *jobHeads }

// begin locks the cache for one read of the outbox.
func (c *jobHeads) begin() headsRead {
	c.mu.Lock()
	if c.byID == nil {
		c.byID, c.seed = map[uint64]*jobHead{}, maphash.MakeSeed()
	}
	c.gen++
	return headsRead{c}
}

// head returns the kind and due time of job id stored as v, decoding v
// into scratch only when the cache has not seen these bytes; decoded says
// that scratch now holds v.
func (r headsRead) head(id uint64, v []byte, scratch *storedJob) (h *jobHead, decoded bool, err error) {
	c, sum := r.c, maphash.Bytes(r.c.seed, v)
	h = c.byID[id]
	if h == nil || h.sum != sum {
		if err := scratch.decode(v); err != nil {
			return nil, false, err
		}
		h, decoded = &jobHead{sum: sum, kind: scratch.Kind, notBefore: scratch.NotBefore}, true
		c.byID[id] = h
	}
	h.gen = c.gen
	return h, decoded, nil
}

// walked ends a read that saw every job (all): the entries it did not see
// belong to jobs that are gone.
func (r headsRead) walked(all bool) {
	if !all {
		return
	}
	for id, h := range r.c.byID {
		if h.gen != r.c.gen {
			delete(r.c.byID, id)
		}
	}
}

// end unlocks the cache.
func (r headsRead) end() { r.c.mu.Unlock() }
