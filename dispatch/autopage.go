package dispatch

import (
	"context"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Issue 6 (automatic pages, gap reports) lives in this file. These are the
// hook points the rest of the dispatcher calls; they do nothing yet.

// autoPageIntake is called in the transaction where an intake is confirmed
// for filing (before Jira is called).
func (d *Dispatcher) autoPageIntake(_ *store.Tx, _ setbot.Intake) error { return nil }

// pageFiled is called in the transaction that records a filed ticket.
func (d *Dispatcher) pageFiled(_ *store.Tx, _ setbot.Intake, _ setbot.Issue) error { return nil }

// reportGaps is called on every timer tick.
func (d *Dispatcher) reportGaps(_ context.Context) {}
