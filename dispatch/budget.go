package dispatch

import (
	"container/list"
	"context"
	"sync"
)

// checkBudgetBytes bounds the bytes of uploads checked at once, across all
// users. A check streams through temporary files, but it still decodes a
// profile or a goroutine dump in memory (up to MaxProfileUnpackedBytes),
// and reads and writes its upload's size on disk several times over: 256
// MiB lets a support packet (at most MaxPacketBytes, 256 MiB) or a few logs
// be checked at once, and makes a burst of uploads wait its turn instead of
// thrashing. A file larger than the budget is checked alone.
const checkBudgetBytes = 256 << 20

// budget is a weighted semaphore: acquire waits, in order of arrival, until
// its bytes fit. Safe for concurrent use.
type budget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiters list.List // of *budgetWaiter, first come first served
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when the bytes are granted
}

func newBudget(size int64) *budget { return &budget{size: size} }

// acquire takes n bytes of the budget (at least 1, at most all of it),
// waiting until they fit and every earlier waiter is served, or until ctx
// ends. release gives them back; call it once.
func (b *budget) acquire(ctx context.Context, n int64) (release func(), err error) {
	n = min(max(n, 1), b.size)
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return b.releaser(n), nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	e := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return b.releaser(n), nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: hand the bytes on
		b.used -= n
	default:
		b.waiters.Remove(e)
	}
	b.grant()
	return nil, ctx.Err()
}

func (b *budget) releaser(n int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.used -= n
			b.grant()
			b.mu.Unlock()
		})
	}
}

// grant serves the waiters that fit, in order; b.mu is held.
func (b *budget) grant() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*budgetWaiter)
		if b.used+w.n > b.size {
			return
		}
		b.used += w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}
