package slackbot

import (
	"context"
	"sync"
)

// maxBatch caps how much work one insert transaction carries.
const maxBatch = 100

// batcher groups concurrent enqueues into one transaction. Each insert
// costs a pooled connection for three round trips and a WAL flush, so
// under a burst of deliveries acks queued behind one another for the
// pool; batched, a burst costs a few commits. Nothing waits on a timer:
// a lone enqueue is inserted at once, and work that arrives while a
// batch is being inserted goes into the next one, which the first of
// those callers inserts (no goroutine of its own).
type batcher struct {
	insert func(ctx context.Context, works []Work) error

	mu      sync.Mutex
	busy    bool // a caller is inserting a batch
	waiting []*batchItem
}

type batchItem struct {
	work Work
	done chan struct{} // closed when err is set or the item must lead
	lead bool
	err  error
}

// do stores w, in one transaction with whatever else is waiting, and
// returns once it is stored. The batch runs under the context of the
// caller that inserts it; the others wait for it.
func (b *batcher) do(ctx context.Context, w Work) error {
	me := &batchItem{work: w, done: make(chan struct{})}
	b.mu.Lock()
	b.waiting = append(b.waiting, me)
	if b.busy {
		b.mu.Unlock()
		<-me.done
		if !me.lead {
			return me.err
		}
		b.mu.Lock()
	}
	b.busy = true
	n := min(len(b.waiting), maxBatch) // me is first: callers lead in arrival order
	batch := b.waiting[:n:n]
	b.waiting = b.waiting[n:]
	b.mu.Unlock()

	err := b.insert(ctx, uniqueWork(batch))

	for _, it := range batch[1:] {
		it.err = err
		close(it.done)
	}
	b.mu.Lock()
	if len(b.waiting) > 0 {
		next := b.waiting[0]
		next.lead = true
		close(next.done)
	} else {
		b.busy = false
	}
	b.mu.Unlock()
	return err
}

// uniqueWork drops repeated keys: a batch is one INSERT … ON CONFLICT,
// which may not touch the same row twice, and a redelivery of the same
// Slack event needs storing once anyway.
func uniqueWork(batch []*batchItem) []Work {
	seen := make(map[string]bool, len(batch))
	works := make([]Work, 0, len(batch))
	for _, it := range batch {
		if !seen[it.work.Key] {
			seen[it.work.Key] = true
			works = append(works, it.work)
		}
	}
	return works
}
