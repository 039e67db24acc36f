package dispatch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// core is what every feature shares: the configuration, the outside
// systems, the store, routing (the command table and the click table),
// the outbox and its lanes, and who may do what. Each feature embeds it and
// reaches the others through its fields.
type core struct {
	cfg   Config
	chat  setbot.Chat
	db    *store.DB
	log   zerolog.Logger
	now   func() time.Time
	ext   Extensions
	flow  conversations.Flow
	wakes [laneCount]chan struct{} // wake the outbox runner's lanes
	// headerDue asks the timer loop to refresh the channel header.
	headerDue chan struct{}
	// timerDue asks the timer loop for a pass now (a new page's first
	// step must not wait for the next tick).
	timerDue chan struct{}
	// people resolves listed usernames to the accounts rights belong to.
	people people
	cmds   commandTable
	clicks []clickRoute

	// The features, each with its own state. New lists them once.
	intake    *intake
	tickets   *tickets
	paging    *paging
	incidents *incidents
	cycle     *cycle
	rotation  *rotation
	watch     *watch
	triage    *triage
}

// feature is one of setbot's duties. It says what it contributes: commands
// (rows of the command table), clicks (the button actions it answers) and
// its part of every timer pass.
type feature interface {
	commands() []command
	clickRoutes() []clickRoute
	tick(ctx context.Context, now time.Time)
}

// clickRoute sends the button actions it matches to its handler.
type clickRoute struct {
	match  func(action string) bool
	handle func(ctx context.Context, c setbot.Click) string
}

// The features. Each embeds the core and keeps its own state.
type (
	// intake runs the intake conversation by DM and files its tickets.
	intake struct {
		*core
		checks *budget // of the uploads checked at once
	}
	// tickets changes tickets by command: assign, priority, handover.
	tickets struct{ *core }
	// paging pages the rotation, step after step, until someone acknowledges.
	paging struct {
		*core
		// The ladder's plan (timer loop only): the earliest step not yet
		// due (zero: none), the pages' version it was made from, and the
		// slice the open pages are read into.
		nextDue time.Time
		version uint64
		planned bool
		open    []setbot.Page
	}
	// incidents tracks L1/L2 incidents and reminds about status updates.
	incidents struct {
		*core
		nag  nagPlan           // the reminders' plan (timer loop only)
		open []setbot.Incident // the open incidents are read into it (timer loop only)
	}
	// cycle posts the weekly cycle reports.
	cycle struct {
		*core
		asked reportsAsked // `@setbot report` per channel
	}
	// watch nudges the rotation about ~sustained-engineering posts that
	// got no first response from SET in time.
	watch struct {
		*core
		mu      sync.Mutex
		pending []setbot.Message // observed, not yet recorded
		ready   chan struct{}    // wakes run when pending grew
		// flushing makes flushes one at a time: run's, and a reader's
		// that needs everything observed so far recorded (triage).
		flushing sync.Mutex
	}
	// triage lists stale tickets daily, checks the Kanban order and
	// answers `@setbot triage`.
	triage struct {
		*core
		staleCount atomic.Int64 // stale tickets at the last look; -1: not read yet
	}
	// rotation answers who is on SET, changes the rotation, keeps the
	// channel header current and reports gaps.
	rotation struct {
		*core
		headerAt time.Time // when the header is refreshed next (timer loop only)
		gapsAt   time.Time // when the rotation is checked for gaps next (timer loop only)
	}
)

// features lists the features in the order the timer loop runs them:
// paging first, since a late step is the costliest delay.
func (d *core) features() []feature {
	return []feature{d.paging, d.rotation, d.incidents, d.cycle, d.intake, d.tickets, d.watch, d.triage}
}

// newCore builds the core and its features.
func newCore(cfg Config, chat setbot.Chat, db *store.DB, ext Extensions) *core {
	c := &core{cfg: cfg, chat: chat, db: db, log: cfg.Log, now: cfg.Now, ext: ext,
		headerDue: make(chan struct{}, 1), timerDue: make(chan struct{}, 1)}
	for l := range c.wakes {
		c.wakes[l] = make(chan struct{}, 1)
	}
	c.intake, c.tickets, c.paging = &intake{core: c, checks: newBudget(checkBudgetBytes)}, &tickets{c}, &paging{core: c}
	c.incidents, c.cycle, c.rotation = &incidents{core: c}, &cycle{core: c}, &rotation{core: c}
	c.watch = &watch{core: c, ready: make(chan struct{}, 1)}
	c.triage = &triage{core: c}
	c.triage.staleCount.Store(-1)
	c.flow = conversations.Flow{Options: ext.Intake}
	// Without Jira there is nothing to look for similar tickets in.
	c.flow.Options.CheckSimilar = ext.Tracker != nil
	c.flow.Options.PageL2 = cfg.PageL2
	c.flow.Options.Routing = ext.Route != nil
	c.cmds = c.commands()
	for _, f := range c.features() {
		c.clicks = append(c.clicks, f.clickRoutes()...)
	}
	return c
}
