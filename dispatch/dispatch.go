// Package dispatch decides what setbot does with each post and click: it
// drops repeats, routes DMs to the intake conversation and channel mentions to
// the command table, commits every decision to the store, and then runs the
// decided effects (posts, Jira calls) from the store's outbox.
package dispatch

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// DefaultRetention is how long handled-post marks, finished pages, notices
// and resolved incidents are kept ([store] retention's default).
const DefaultRetention = 14 * 24 * time.Hour

// Defaults for the work bounds.
const (
	DefaultWorkers = 8  // users served concurrently
	queueDepth     = 64 // messages waiting per worker before Deliver blocks
	// inFlightBound is how long a stopping dispatcher lets the posts in
	// hand finish; what is left resumes after a restart (not marked
	// handled). With the HTTP server's shutdownBound it keeps a SIGTERM
	// within 15 s, as orchestrators expect.
	inFlightBound = 8 * time.Second
)

// Config is what the dispatcher needs to know about its surroundings.
type Config struct {
	Bot        setbot.User
	SETChannel setbot.ChannelID
	AskChannel setbot.ChannelID
	Workers    int
	// ChatWorkers is how many recipients the chat lane posts to at once;
	// 0: chatWorkers. (Tests that read posts in order use 1.)
	ChatWorkers int
	// SlowWorkers is how many intakes the slow and lookup lanes file, add
	// or search for at once; 0: slowWorkers. (Tests that read Jira calls in
	// order use 1.)
	SlowWorkers int
	Now         func() time.Time
	Log         zerolog.Logger
	// Tick is how often timers (reminders, escalations, header) are checked.
	Tick time.Duration
	// InFlightBound is how long a stopping dispatcher lets work in hand
	// finish; 0: inFlightBound. (A test of the lost lease lengthens it.)
	InFlightBound time.Duration
	// Rotation is the configured SET rotation.
	Rotation Rotation
	// Retention is how long handled-post marks are kept ([store] retention;
	// 0: seenRetention). Catch-up never replays posts older than this.
	Retention time.Duration
	// AckWithin is how long a paged person has before the next is paged.
	AckWithin time.Duration
	// PageL2 makes L2 intakes page SET too ([escalation] page_l2); L1
	// intakes always do.
	PageL2 bool
	// Incidents is how often an L1/L2 incident needs a status update, and
	// when the lead is mentioned ([incidents]).
	Incidents setbot.NagPolicy
	// Reports are the weekly cycle reports' times ([reports]); zero: none.
	Reports Reports
	// Projects are the Jira project keys whose tickets commands accept
	// ([jira] project); empty: any.
	Projects []string
	// RouteChannel is where tickets routed away from SET are announced
	// ([routing] channel); empty: nowhere but to the reporter.
	RouteChannel setbot.ChannelID
	// Watch is when an unanswered ~sustained-engineering post gets a
	// nudge ([watch]); FirstResponse 0: never.
	Watch setbot.WatchPolicy
	// Stale is how long an open ticket may go without a Jira update, by
	// level ([stale]); zero: setbot.DefaultStalePolicy.
	Stale setbot.StalePolicy
	// StaleDigest is the weekday time of day of the stale-ticket digest
	// ([stale] digest); nil: no digest.
	StaleDigest *time.Duration
	// Order are the Kanban TO DO classes, highest first ([order]); nil:
	// setbot.DefaultOrder.
	Order []setbot.OrderClass
}

// Dispatcher is safe for concurrent use. Run owns every goroutine it starts.
// It routes posts and clicks to the features (core.go) and runs the
// workers, the outbox and the timer loop.
type Dispatcher struct {
	c      *core
	shards []chan setbot.Message
	// stopping is closed when Run stops: Deliver drops from then on, and
	// the workers finish what is queued.
	stopping chan struct{}
}

// Extensions are the parts wired in by main.
type Extensions struct {
	Tracker setbot.Tracker // nil: filing waits in the outbox
	// Route files what is not SET's (feature requests, L4) with another
	// team ([routing]); nil: such intakes are filed nowhere.
	Route setbot.Tracker
	// HandoverTeams are the team names "@setbot handover KEY <team>"
	// accepts ([jira.handover_teams]).
	HandoverTeams []string
	// HandoverInvites are, by team name, the people "handover" invites to
	// the incident's channel when one is linked ([jira.handover_teams.X]
	// invite).
	HandoverInvites map[string][]setbot.Username
	// JiraAccounts are the Mattermost usernames [jira.accounts] maps to
	// Jira accounts; one without an active account is reported once.
	JiraAccounts []setbot.Username
	// Redact redacts an uploaded Mattermost config.json (bot.RedactConfig).
	Redact artifacts.ConfigRedactor
	// Intake configures the intake conversation.
	Intake conversations.Options
	// Playbooks tells when an incident channel's playbook run last had a
	// status update (package playbooks); nil: that source is not used.
	Playbooks StatusSource
	// Webhook receives every page step and acknowledgement ([escalation]
	// webhook_url); nil: none.
	Webhook PageHookSender
	// Chart draws the week records' chart (package chart); nil: the
	// records are posted without one.
	Chart ChartFunc
	// Meter counts posts, jobs, pages and clicks for /metrics (package
	// metrics); nil: nothing is counted.
	Meter Meter
}

// New returns a dispatcher. Call Run to start it.
func New(cfg Config, chat setbot.Chat, db *store.DB, ext Extensions) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.ChatWorkers <= 0 {
		cfg.ChatWorkers = chatWorkers
	}
	if cfg.SlowWorkers <= 0 {
		cfg.SlowWorkers = slowWorkers
	}
	if cfg.InFlightBound <= 0 {
		cfg.InFlightBound = inFlightBound
	}
	if ext.Meter == nil {
		ext.Meter = noMeter{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rotation.Location == nil {
		cfg.Rotation.Location = time.UTC
	}
	if cfg.Retention <= 0 {
		cfg.Retention = seenRetention
	}
	if cfg.Stale == (setbot.StalePolicy{}) {
		cfg.Stale = setbot.DefaultStalePolicy()
	}
	if cfg.Order == nil {
		cfg.Order = setbot.DefaultOrder()
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 2 * time.Second
	}
	c := newCore(cfg, chat, db, ext)
	d := &Dispatcher{c: c, stopping: make(chan struct{})}
	for range cfg.Workers {
		d.shards = append(d.shards, make(chan setbot.Message, queueDepth))
	}
	return d
}

// Deliver queues a message. Messages of one user are handled in order, by
// the same worker; different users are handled concurrently. Deliver blocks
// when that worker's queue is full, which slows the websocket reader down
// rather than dropping posts, until Run stops: from then on messages are
// dropped at once. A dropped message was not marked handled, so catch-up
// brings it back after a restart.
func (d *Dispatcher) Deliver(m setbot.Message) {
	d.c.watch.observe(m)
	h := fnv.New32a()
	h.Write([]byte(m.UserID))
	select {
	case d.shards[h.Sum32()%uint32(len(d.shards))] <- m:
	case <-d.stopping:
	}
}

// Run serves until ctx ends, then finishes the messages already queued
// (bounded by Config.InFlightBound) and returns; when ctx ended because
// the leader lease was lost (store.ErrLeaseLost), it cancels them at once.
func (d *Dispatcher) Run(ctx context.Context) error {
	var workers, wg sync.WaitGroup
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	for _, q := range d.shards {
		workers.Add(1)
		go func() {
			defer workers.Done()
			d.worker(work, q)
		}()
	}
	workersDone := make(chan struct{})
	wg.Add(5)
	go func() { defer wg.Done(); workers.Wait(); close(workersDone) }()
	go func() { defer wg.Done(); d.c.runOutbox(ctx) }()
	go func() { defer wg.Done(); d.runTimers(ctx) }()
	go func() { defer wg.Done(); d.c.watch.run(work, workersDone) }() // records to the end, as the workers do
	go func() { defer wg.Done(); d.c.triage.run(work, d.stopping) }()

	<-ctx.Done()
	close(d.stopping)
	if errors.Is(context.Cause(ctx), store.ErrLeaseLost) {
		// Another replica leads now, and this one's writes are fenced:
		// work in hand could only fail or post what the new leader
		// posts. It stops at once.
		d.c.log.Warn().Msg("the leader lease was lost: stopping all work at once; the new leader resumes it")
		cancelWork()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.c.cfg.InFlightBound):
		d.c.log.Warn().Msg("in-flight work did not finish in time; it resumes after restart")
		cancelWork()
		<-done
	}
	return nil
}

// worker handles its queue's messages in order until Run stops, then the
// ones already queued, and returns.
func (d *Dispatcher) worker(ctx context.Context, q <-chan setbot.Message) {
	for {
		select {
		case m := <-q:
			d.handle(ctx, m)
			continue
		case <-d.stopping:
		}
		for {
			select {
			case m := <-q:
				d.handle(ctx, m)
			default:
				return
			}
		}
	}
}

// kick wakes the outbox runner: its chat lane, which wakes the other
// lanes that have jobs due.
func (d *core) kick() { d.wakeLane(laneChat) }

// Click handles a verified button click and returns a short text for the
// person who clicked (may be empty). ctx is the click request's: the
// handlers' lookups end when Mattermost stops waiting.
func (d *Dispatcher) Click(ctx context.Context, c setbot.Click) string {
	d.c.ext.Meter.Clicked(clickKind(c.Action))
	u, err := d.c.clicker(ctx, c)
	if err != nil {
		return setbot.ErrorMessage(err)
	}
	c.Username = u.Username
	for _, r := range d.c.clicks {
		if r.match(c.Action) {
			return r.handle(ctx, c)
		}
	}
	d.c.log.Warn().Str("action", c.Action).Msg("click with an unknown action")
	return "That button no longer does anything."
}

// clickLookupBound bounds finding out who clicked, while Mattermost waits
// for the button's answer.
const clickLookupBound = 5 * time.Second

// clicker is who pressed a button: looked up on Mattermost by the click's
// user ID, never taken from the name the request carries. A bot or a
// deactivated account may press nothing.
func (d *core) clicker(ctx context.Context, c setbot.Click) (setbot.User, error) {
	ctx, cancel := context.WithTimeout(ctx, clickLookupBound)
	defer cancel()
	u, err := d.chat.User(ctx, c.UserID)
	if err != nil {
		d.log.Warn().Err(err).Str("user_id", string(c.UserID)).Msg("who clicked")
		return setbot.User{}, err
	}
	if u.IsBot || u.Deleted {
		return setbot.User{}, setbot.Errorf(setbot.EForbidden, "Only people can use these buttons.")
	}
	return u, nil
}
