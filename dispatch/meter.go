package dispatch

import (
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// Meter counts what the dispatcher does, for monitoring (package metrics
// implements it). Its methods must be cheap and safe for concurrent use:
// they are called on the paths they count. Label values come from the fixed
// sets below, never from a person's input.
type Meter interface {
	// Handled counts a post handled: kind is dm, channel or other.
	Handled(kind string)
	// Duplicate counts a post dropped as handled already.
	Duplicate()
	// Job counts one run of an outbox job: outcome is done, retry or dropped.
	Job(kind, outcome string, took time.Duration)
	// Filed counts a ticket filed in Jira.
	Filed()
	// Paged counts a page ladder step: primary, backup or lead.
	Paged(step string)
	// Acked counts a page acknowledged.
	Acked()
	// Reminded counts an incident reminder, and whether it mentioned the lead.
	Reminded(lead bool)
	// Clicked counts a button click: ack, intake, snooze, report or other.
	Clicked(action string)
	// TimerPass records that a pass of the timer loop (escalation,
	// reminders, reports, housekeeping), begun at began, has finished.
	TimerPass(began time.Time)
}

// Job outcomes, as Meter.Job sees them.
const (
	jobDone    = "done"
	jobRetry   = "retry"
	jobDropped = "dropped"
)

// noMeter counts nothing: the default when Extensions.Meter is nil.
type noMeter struct{}

func (noMeter) Handled(string)                    {}
func (noMeter) Duplicate()                        {}
func (noMeter) Job(string, string, time.Duration) {}
func (noMeter) Filed()                            {}
func (noMeter) Paged(string)                      {}
func (noMeter) Acked()                            {}
func (noMeter) Reminded(bool)                     {}
func (noMeter) Clicked(string)                    {}
func (noMeter) TimerPass(time.Time)               {}

// postKind is a post's Meter.Handled kind.
func postKind(k setbot.ChannelKind) string {
	switch k {
	case setbot.ChannelDM:
		return "dm"
	case setbot.ChannelSET, setbot.ChannelAsk:
		return "channel"
	}
	return "other"
}

// clickKind is a click's Meter.Clicked action.
func clickKind(action string) string {
	switch {
	case strings.HasPrefix(action, actionAck):
		return "ack"
	case strings.HasPrefix(action, actionIntake):
		return "intake"
	case isSnooze(action):
		return "snooze"
	case strings.HasPrefix(action, actionCycleAssign):
		return "report"
	}
	return "other"
}
