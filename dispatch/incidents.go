package dispatch

import (
	"context"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Issue 7 (L1/L2 incidents) lives in this file. These are the hook points
// the rest of the dispatcher calls; they do nothing yet.

// incidentCommands are the incident commands of the command table.
func incidentCommands() []command { return nil }

// nagIncidents is called on every timer tick.
func (d *Dispatcher) nagIncidents(_ context.Context) {}

// trackFiled is called in the transaction that records a filed ticket.
func (d *Dispatcher) trackFiled(_ *store.Tx, _ setbot.Intake, _ setbot.Issue) error { return nil }

// isSnooze reports whether a click's action belongs to a reminder.
func isSnooze(action string) bool { return false }

// clickSnooze handles a reminder's Snooze button.
func (d *Dispatcher) clickSnooze(_ setbot.Click) string { return "" }
