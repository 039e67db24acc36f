package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Job kinds. Persisted in the outbox: never rename one.
const (
	jobPost     = "post"      // payload: setbot.Reply
	jobPagePost = "page-post" // payload: setbot.Reply; a page step's or acknowledgement's post, in lanePage
)

// enqueuePagePosts queues the posts of a page step or acknowledgement in
// tx, in the page lane: someone flooding setbot with DMs cannot delay a
// page.
func enqueuePagePosts(tx *store.Tx, replies []setbot.Reply) error {
	for _, r := range replies {
		if _, err := tx.Enqueue(jobPagePost, "", r, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// lane separates fast chat jobs from slow outside calls so that a slow Jira
// never holds up a reply, and short lookups from long writes so that a
// queue of filings never holds up a duplicate search the person waits for.
type lane int

const (
	laneChat   lane = iota
	laneSlow        // Jira writes, webhooks, reports: minutes under retries
	laneLookup      // short, bounded reads a conversation waits for
	lanePage        // page steps and acknowledgements: never behind anyone's replies
)

// jobSpec is how one kind of job runs.
type jobSpec struct {
	lane lane
	run  func(ctx context.Context, d *core, j store.Job) error
}

// Retry policy for jobs whose outside system is unavailable.
const (
	retryBase = 2 * time.Second
	retryCap  = 5 * time.Minute
	// retryAfterCap bounds how long an outside system's Retry-After holds a
	// job back: a longer ask is taken as this.
	retryAfterCap = time.Hour
	jobsPerScan   = 50
	jobTimeout    = 2 * time.Minute
)

func enqueueReplies(tx *store.Tx, replies []setbot.Reply) error {
	for _, r := range replies {
		if _, err := tx.Enqueue(jobPost, "", r, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

func runPost(ctx context.Context, d *core, j store.Job, r setbot.Reply) error {
	r.Text = setbot.FitPost(r.Text)
	_, err := d.postOnce(ctx, j, r, jobKey(j))
	return err
}

// postOnce makes job j's post r with idempotency key key. A job older than
// postDedupeWindow first looks for the post an earlier attempt may have
// made (a crash before the job was finished, a lost answer): by then
// Mattermost no longer drops a repeated key by itself.
func (d *core) postOnce(ctx context.Context, j store.Job, r setbot.Reply, key string) (setbot.PostID, error) {
	if d.now().Sub(j.Created) > postDedupeWindow {
		if id, found, err := d.chat.FindPost(ctx, r, key, j.Created); err != nil || found {
			return id, err
		}
	}
	return d.chat.Post(ctx, r, key)
}

// postDedupeWindow is how long Mattermost drops a second post with the
// same pending_post_id (30 s), less a margin: a job older than this looks
// for its post before posting again.
const postDedupeWindow = 20 * time.Second

// jobKey is a job's idempotency key for outside calls: stable across its
// retries, and unique across stores (job ids restart in a new store, so the
// creation time is part of it).
func jobKey(j store.Job) string {
	return "job-" + strconv.FormatUint(j.ID, 10) + "-" + strconv.FormatInt(j.Created.UnixNano(), 36)
}

// runOutbox runs due jobs in the chat, slow, lookup and page lanes until
// ctx ends.
func (d *core) runOutbox(ctx context.Context) {
	var wg sync.WaitGroup
	var wakes []chan struct{}
	for _, l := range []lane{laneSlow, laneLookup, lanePage} {
		wake := make(chan struct{}, 1)
		wakes = append(wakes, wake)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.lane(ctx, l, wake)
		}()
	}
	d.lane(ctx, laneChat, d.wake, wakes...)
	wg.Wait()
}

// lane runs the due jobs of one lane whenever woken, and at least every tick.
// It forwards wake-ups to the lanes in forward.
func (d *core) lane(ctx context.Context, l lane, wake <-chan struct{}, forward ...chan struct{}) {
	t := time.NewTicker(d.cfg.Tick)
	defer t.Stop()
	for {
		d.runDue(ctx, l)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
		for _, f := range forward {
			select {
			case f <- struct{}{}:
			default:
			}
		}
	}
}

func (d *core) runDue(ctx context.Context, l lane) {
	// Unknown kinds (left by a newer setbot) are reported by the chat lane.
	inLane := func(kind string) bool {
		spec, ok := jobSpecs[kind]
		return ok && spec.lane == l || !ok && l == laneChat
	}
	limit := jobsPerScan
	if l == laneChat {
		limit = chatJobsPerScan
	}
	for {
		jobs, err := d.db.DueJobsOf(d.now(), limit, inLane)
		if err != nil {
			d.log.Error().Err(err).Msg("read outbox")
			return
		}
		if l != laneChat {
			d.runInOrder(ctx, jobs)
			return
		}
		if !d.runChatTurn(ctx, jobs) || ctx.Err() != nil {
			return
		}
	}
}

// runInOrder runs jobs one after another.
func (d *core) runInOrder(ctx context.Context, jobs []store.Job) {
	for _, j := range jobs {
		spec, ok := jobSpecs[j.Kind]
		if !ok {
			d.log.Error().Str("kind", j.Kind).Uint64("job", j.ID).Msg("unknown job kind left in the outbox")
			continue
		}
		if ctx.Err() != nil {
			return
		}
		d.runJob(ctx, spec, j)
	}
}

// Bounds of the chat lane.
const (
	// chatJobsPerScan is how far the chat lane looks ahead, so that one
	// person's backlog of replies cannot hide another person's reply.
	chatJobsPerScan = 1000
	// chatWorkers is how many recipients are posted to at once by default
	// (Config.ChatWorkers): a post is
	// a round trip to Mattermost, and one at a time held 50 people's
	// replies behind each other (issue 17's load tool: 2 s at the median).
	chatWorkers = 8
	// chatTurn is how many posts a recipient gets per turn, so that a
	// backlog takes turns with everyone else's replies.
	chatTurn = 4
)

// runChatTurn gives each recipient (a DM's person, or a channel) a turn
// of at most chatTurn of its jobs, in their order, posting to up to
// chatWorkers recipients at once: someone who sent 300 DMs delays someone
// else's reply by at most a turn. It reports whether a recipient has more
// waiting (the lane takes another turn at once).
func (d *core) runChatTurn(ctx context.Context, jobs []store.Job) (more bool) {
	var order []string
	queues := map[string][]store.Job{}
	for _, j := range jobs {
		k := recipient(j)
		if _, ok := queues[k]; !ok {
			order = append(order, k)
		}
		queues[k] = append(queues[k], j)
	}
	var wg sync.WaitGroup
	workers := make(chan struct{}, d.cfg.ChatWorkers)
	for _, k := range order {
		q := queues[k]
		if len(q) > chatTurn {
			q, more = q[:chatTurn], true
		}
		workers <- struct{}{}
		wg.Add(1)
		go func() { // owned here: waited for below
			defer wg.Done()
			defer func() { <-workers }()
			d.runInOrder(ctx, q)
		}()
	}
	wg.Wait()
	return more
}

// recipient is whom a chat job posts to: "to:<user>" or "ch:<channel>".
// Jobs of the other kinds share one queue, in their order: some start a
// thread that the next ones join (an incident's posts, a day's sweeps).
func recipient(j store.Job) string {
	var r setbot.Reply
	if j.Kind == jobPost && json.Unmarshal(j.Payload, &r) == nil {
		if r.To != "" {
			return "to:" + string(r.To)
		}
		return "ch:" + string(r.ChannelID)
	}
	return "jobs"
}

func (d *core) runJob(ctx context.Context, spec jobSpec, j store.Job) {
	jctx, cancel := context.WithTimeout(ctx, jobTimeout)
	start := d.now()
	err := d.runContained(jctx, spec, j)
	cancel()
	took := d.now().Sub(start)
	log := d.log.With().Str("kind", j.Kind).Uint64("job", j.ID).Int("attempts", j.Attempts+1).Logger()
	switch {
	case err == nil:
		d.ext.Meter.Job(j.Kind, jobDone, took)
		if err := d.db.FinishJob(j.ID, d.now(), nil); err != nil {
			log.Error().Err(err).Msg("remove finished job")
		}
	case errors.Is(err, errJobPanicked) && j.Attempts+1 >= maxPanics:
		log.Error().Err(err).Msg("job panicked again and again; quarantined in the dead letters")
		d.ext.Meter.Job(j.Kind, jobDropped, took)
		if err := d.db.QuarantineJob(j.ID, err.Error()); err != nil {
			log.Error().Err(err).Msg("quarantine failed job")
		}
	case setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil || errors.Is(err, errJobPanicked):
		at := d.now().Add(max(retryDelay(j.Attempts+1), min(setbot.RetryAfter(err), retryAfterCap)))
		log.Warn().Err(err).Time("retry_at", at).Msg("job failed; will retry")
		d.ext.Meter.Job(j.Kind, jobRetry, took)
		if err := d.db.RetryJob(j.ID, at, setbot.ErrorMessage(err)); err != nil {
			log.Error().Err(err).Msg("reschedule job")
		}
	default:
		log.Error().Err(err).Msg("job cannot succeed; dropped")
		d.ext.Meter.Job(j.Kind, jobDropped, took)
		if err := d.db.FinishJob(j.ID, d.now(), nil); err != nil {
			log.Error().Err(err).Msg("remove failed job")
		}
	}
}

// retryDelay is a jittered exponential delay for the attempt, capped.
func retryDelay(attempt int) time.Duration {
	d := retryBase << min(attempt-1, 20)
	if d > retryCap || d <= 0 {
		d = retryCap
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
