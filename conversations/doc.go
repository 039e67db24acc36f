// Package conversations holds setbot's conversations as pure state machines.
//
// The intake conversation collects what SET needs to start on an escalation
// (the seed's Workflow section) and hands a confirmed Intake to the Jira
// filer. Flow.Step takes the user's State, one Input and the time, and
// returns the next State and the Effects to carry out: no I/O, no clock, no
// goroutines. The dispatcher loads the State, runs Step and saves the State
// (with any blobs of the checked files) in one store transaction, and only
// then carries out the Effects, so a restart resumes at the same question and
// a confirmed intake is handed over once.
//
// Routing DMs: while State.Active, every DM of the user goes to Step. With no
// intake under way, a DM still goes to Step: Step offers to start when the
// text reads like a problem (or is "new", "ticket", "escalate"), and
// otherwise returns ErrNotIntake with the State unchanged, and the dispatcher
// answers it itself (help, other commands).
package conversations
