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
// page. Once committed, it wakes the page lane itself, not through the
// chat lane, which may be busy with everyone's replies.
func (d *core) enqueuePagePosts(tx *store.Tx, replies []setbot.Reply) error {
	for _, r := range replies {
		if _, err := tx.Enqueue(jobPagePost, "", r, time.Time{}); err != nil {
			return err
		}
	}
	if len(replies) > 0 {
		tx.OnCommit(func() { d.wakeLane(lanePage) })
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
	laneCount
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
// ctx ends. kick wakes the chat lane, whose reading of the outbox wakes
// the other lanes that have jobs due: one reading per wake-up, not one
// per lane.
func (d *core) runOutbox(ctx context.Context) {
	var wg sync.WaitGroup
	for l, wake := range d.wakes {
		wg.Go(func() { d.lane(ctx, lane(l), wake) })
	}
	wg.Wait()
}

// lane runs the due jobs of one lane whenever woken, and at least every tick.
func (d *core) lane(ctx context.Context, l lane, wake <-chan struct{}) {
	t := time.NewTicker(d.cfg.Tick)
	defer t.Stop()
	for {
		d.runLane(ctx, l, wake)
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// runDue runs the lane's due jobs until none is left (for tests: no wake).
func (d *core) runDue(ctx context.Context, l lane) { d.runLane(ctx, l, nil) }

// wakeLane wakes lane l, if it is not awake already.
func (d *core) wakeLane(l lane) {
	select {
	case d.wakes[l] <- struct{}{}:
	default:
	}
}

// Bounds of the lanes.
const (
	// chatJobsPerScan is how far the chat lane looks ahead, so that one
	// person's backlog of replies cannot hide another person's reply.
	chatJobsPerScan = 1000
	// chatWorkers is how many recipients are posted to at once by default
	// (Config.ChatWorkers). A post is a round trip to Mattermost (100 to
	// 350 ms each on the load tool's busy 2-core machine), so the workers
	// cap the replies per second: one at a time held 50 people's replies
	// behind each other (2 s at the median), and 8 still did (1 s at the
	// median, 3.3–3.8 times the echo of the same run, against 1.3 with 32).
	// People who post to each other have no such cap; 32 is one per person
	// in a crowded SET week, and well inside the burst that Mattermost's
	// rate limit allows (100) when it is on.
	chatWorkers = 32
	// slowWorkers is how many intakes are filed (or added to a ticket, or
	// searched for similar tickets) at once by default
	// (Config.SlowWorkers): one at a time held the tenth of ten people who
	// confirmed together behind nine filings of several Jira calls each
	// (issue 17's load tool: the "Filed" answer's p99 was 2.4 s). Few,
	// because each is a handful of Jira calls.
	slowWorkers = 4
	// turn is how many jobs a queue (a recipient's replies) runs before it
	// takes its turn again after the others waiting, so that a backlog of
	// one never holds up the rest.
	turn = 4
)

// laneRules is how one lane schedules its jobs: the jobs of one queue run
// in their order, one turn at a time; up to workers queues run at once.
type laneRules struct {
	workers int
	perScan int                    // due jobs read at once
	queue   func(store.Job) string // the queue a job waits in
}

func (d *core) rules(l lane) laneRules {
	switch l {
	case laneChat:
		return laneRules{workers: d.cfg.ChatWorkers, perScan: chatJobsPerScan, queue: recipient}
	case laneSlow:
		return laneRules{workers: d.cfg.SlowWorkers, perScan: jobsPerScan, queue: slowQueue}
	case laneLookup: // each search stands alone
		return laneRules{workers: d.cfg.SlowWorkers, perScan: jobsPerScan, queue: func(j store.Job) string { return "job:" + strconv.FormatUint(j.ID, 10) }}
	default: // lanePage: in order, as the ladder made them
		return laneRules{workers: 1, perScan: jobsPerScan, queue: func(store.Job) string { return "jobs" }}
	}
}

// slowQueue is the queue of a slow job: an intake's filing (or addition)
// waits only for that intake's; the other kinds share one queue, in their
// order (an incident's comments, a day's reports).
func slowQueue(j store.Job) string {
	if (j.Kind == jobFile || j.Kind == jobAddTo) && j.Key != "" {
		return "intake:" + j.Key
	}
	return "jobs"
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

// runLane runs the lane's due jobs until none is left: each queue's jobs
// in their order, a turn of at most turn jobs at a time, up to the lane's
// workers queues at once; a queue that has had fewer turns goes first.
//
// It schedules continuously: when a queue's turn ends, the next turn
// starts at once, and when wake says that jobs were queued, it reads the
// outbox again and starts the queues that are idle. (Turns that all ended
// before the next began made every reply wait for the slowest post of the
// turn before it: issue 17's tail.) Reading the outbox decodes every job
// in it, so it reads only when woken, and while every worker is busy it
// waits for one to be free first; once idle it reads once more, for jobs
// that finished jobs queued. Every job runs at most once per call, so a
// job that stays due (its removal failed) waits for the next tick
// instead of spinning.
func (d *core) runLane(ctx context.Context, l lane, wake <-chan struct{}) {
	s := laneRun{d: d, l: l, r: d.rules(l), busy: map[string]bool{}, turns: map[string]int{},
		ran: map[uint64]bool{}, unknown: map[uint64]bool{}, queueOf: map[uint64]string{}, due: map[string][]store.Job{}}
	done := make(chan string)
	running, dirty, endedSinceRead := 0, true, false
	for {
		if dirty && running < s.r.workers && ctx.Err() == nil {
			s.read()
			dirty, endedSinceRead = false, false
		}
		for running < s.r.workers && ctx.Err() == nil {
			name, jobs, ok := s.nextTurn()
			if !ok {
				break
			}
			running++
			go func() { // owned here: every turn's end is received below
				d.runInOrder(ctx, jobs)
				done <- name
			}()
		}
		if running == 0 {
			if !endedSinceRead || ctx.Err() != nil {
				return
			}
			dirty = true // read once more: finished jobs may have queued others
			continue
		}
		select {
		case name := <-done:
			running--
			delete(s.busy, name)
			endedSinceRead = true
			if l != laneChat {
				// Its jobs' outcomes may have queued replies (a filed
				// ticket's link) and work for the other lanes.
				d.kick()
			}
		case <-wake:
			dirty = true
		}
	}
}

// laneRun is one runLane's view of its lane's queues.
type laneRun struct {
	d       *core
	l       lane
	r       laneRules
	busy    map[string]bool        // queues with a turn under way
	turns   map[string]int         // turns each queue had
	ran     map[uint64]bool        // jobs started
	unknown map[uint64]bool        // jobs of unknown kinds, reported
	queueOf map[uint64]string      // each job's queue, worked out once (it may decode the payload)
	due     map[string][]store.Job // the jobs due at the last reading, by queue, not yet started
	order   []string               // the queues of due, in the order of their oldest job
}

// read reads the lane's due jobs into due. The chat lane wakes the other
// lanes that have jobs due.
func (s *laneRun) read() {
	var others [laneCount]bool
	inLane := func(kind string) bool {
		spec, ok := jobSpecs[kind]
		if ok && spec.lane != s.l {
			others[spec.lane] = true
		}
		// Unknown kinds (left by a newer setbot) are reported by the chat lane.
		return ok && spec.lane == s.l || !ok && s.l == laneChat
	}
	jobs, err := s.d.db.DueJobsOf(s.d.now(), s.r.perScan, inLane)
	if err != nil {
		s.d.log.Error().Err(err).Msg("read outbox")
	}
	if s.l == laneChat {
		for l, due := range others {
			if due {
				s.d.wakeLane(lane(l))
			}
		}
	}
	clear(s.due)
	s.order = s.order[:0]
	for _, j := range jobs {
		if _, ok := jobSpecs[j.Kind]; !ok {
			if !s.unknown[j.ID] {
				s.unknown[j.ID] = true
				s.d.log.Error().Str("kind", j.Kind).Uint64("job", j.ID).Msg("unknown job kind left in the outbox")
			}
			continue
		}
		name, ok := s.queueOf[j.ID]
		if !ok {
			name = s.r.queue(j)
			s.queueOf[j.ID] = name
		}
		if s.ran[j.ID] {
			continue
		}
		if _, ok := s.due[name]; !ok {
			s.order = append(s.order, name)
		}
		s.due[name] = append(s.due[name], j)
	}
}

// nextTurn takes the next turn off due: of the idle queues with jobs due,
// the one that had the fewest turns, then the one with the oldest job.
func (s *laneRun) nextTurn() (name string, jobs []store.Job, ok bool) {
	best := -1
	for i, q := range s.order {
		if s.busy[q] || len(s.due[q]) == 0 {
			continue
		}
		if best < 0 || s.turns[q] < s.turns[s.order[best]] {
			best = i
		}
	}
	if best < 0 {
		return "", nil, false
	}
	name = s.order[best]
	q := s.due[name]
	n := min(len(q), turn)
	jobs, s.due[name] = q[:n:n], q[n:]
	for _, j := range jobs {
		s.ran[j.ID] = true
	}
	s.busy[name] = true
	s.turns[name]++
	return name, jobs, true
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
