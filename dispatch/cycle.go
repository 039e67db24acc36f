package dispatch

import "context"

// The SET weekly cycle's scheduled reports (the seed's "SET Weekly Cycle":
// start of the week, Friday hand-over) live in this file.

// cycleCommands are the report commands of the command table.
func cycleCommands() []command { return nil }

// cycleReports is called on every timer tick.
func (d *Dispatcher) cycleReports(_ context.Context) {}
