package dispatch

import (
	"context"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// What each feature contributes besides its commands (which each lists
// next to its handlers): the button actions it answers, and its part of
// every timer pass.

func (d *intake) commands() []command {
	return []command{{name: "ticket", aliases: []string{"escalate", "new", "file"}, usage: "ticket",
		summary: "start a SET ticket for this thread; we continue in a direct message", where: inChannels, run: runTicket}}
}

func (d *intake) clickRoutes() []clickRoute {
	return []clickRoute{{match: func(a string) bool { return strings.HasPrefix(a, actionIntake) },
		handle: func(_ context.Context, c setbot.Click) string { return d.clickIntake(c) }}}
}

// tick delivers due reminders and expiries to conversations.
func (d *intake) tick(context.Context, time.Time) { d.tickConversations() }

func (d *tickets) clickRoutes() []clickRoute       { return nil }
func (d *tickets) tick(context.Context, time.Time) {}

func (d *paging) clickRoutes() []clickRoute {
	return []clickRoute{{match: func(a string) bool { return strings.HasPrefix(a, actionAck) }, handle: d.clickAck}}
}

// tick takes the ladder's due steps.
func (d *paging) tick(ctx context.Context, _ time.Time) { d.escalatePages(ctx) }

func (d *incidents) clickRoutes() []clickRoute {
	return []clickRoute{{match: isSnooze, handle: d.clickSnooze}}
}

// tick reminds about due status updates and stops tracking done tickets.
func (d *incidents) tick(ctx context.Context, _ time.Time) {
	d.nagIncidents(ctx)
	d.sweepDone(ctx)
}

func (d *cycle) clickRoutes() []clickRoute {
	return []clickRoute{{match: func(a string) bool { return strings.HasPrefix(a, actionCycleAssign) }, handle: d.clickAssignAll}}
}

// tick posts the weekly reports that are due, and stores the week's
// record when it has ended.
func (d *cycle) tick(ctx context.Context, now time.Time) {
	d.cycleReports(ctx)
	d.recordWeek(now)
}

func (d *rotation) clickRoutes() []clickRoute { return nil }

// tick keeps the channel header current (at week boundaries, or at once
// after a change) and reports gaps.
func (d *rotation) tick(ctx context.Context, now time.Time) {
	if !now.Before(d.headerAt) {
		d.headerAt = d.refreshHeader(ctx)
	}
	d.reportGaps(ctx)
}
