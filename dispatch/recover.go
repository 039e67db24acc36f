package dispatch

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// maxPanics is how many times a job may panic before it is dropped: a bug
// that a retry does not get past must not retry forever, nor crash setbot
// and turn every restart into the same crash.
const maxPanics = 10

// errJobPanicked marks a job run that panicked; it is retried with backoff.
var errJobPanicked = errors.New("job panicked")

// runContained runs a job, turning a panic into errJobPanicked (logged
// with its stack) instead of ending the process.
func (d *core) runContained(ctx context.Context, spec jobSpec, j store.Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error().Str("kind", j.Kind).Uint64("job", j.ID).Str("panic", fmt.Sprint(r)).Bytes("stack", debug.Stack()).
				Msg("job panicked")
			err = fmt.Errorf("%w: %v", errJobPanicked, r)
		}
	}()
	return spec.run(ctx, d, j)
}

// apology is what someone whose post made setbot panic is told.
const apology = "Sorry, something went wrong on my side with that message, and I could not handle it. The people who run setbot have the details. Please try again in other words, or ask in ~sustained-engineering."

// recoverPost, deferred by handle, turns a panic while handling m into a
// handled post with an apology to its author, so that a replay or catch-up
// does not hit the same panic again and again.
func (d *Dispatcher) recoverPost(m setbot.Message) {
	r := recover()
	if r == nil {
		return
	}
	log := d.c.log.With().Str("post_id", string(m.ID)).Str("user_id", string(m.UserID)).Logger()
	log.Error().Str("panic", fmt.Sprint(r)).Bytes("stack", debug.Stack()).Msg("handling a post panicked; it is marked handled")
	_, err := d.c.db.Handle(m.ID, d.c.now(), func(tx *store.Tx) error {
		return enqueueReplies(tx, []setbot.Reply{d.c.replyTo(m, apology)})
	})
	if err != nil {
		log.Error().Err(err).Msg("mark the post that panicked as handled")
		return
	}
	d.c.kick()
}
