package setbot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultAckWithin is how long a paged person has to acknowledge before the
// next one is paged, when [escalation] ack_within is not set. The seed names
// no figure; a quarter of an hour keeps an L1 (1-hour Premier response
// target, shared/seed/priority-levels.md) inside its target after all three.
const DefaultAckWithin = 15 * time.Minute

// PageStep is a rung of the paging ladder: primary, then backup, then lead;
// then, while nobody acknowledges, everyone on the shift together in up to
// PageRounds rounds; then the rotation admins are told. Persisted as its
// number; values only ever grow.
type PageStep int

const (
	StepNone PageStep = iota // nobody paged yet
	StepPrimary
	StepBackup
	StepLead
	StepRound1 // primary, backup and lead together, ack_within after the lead
	StepRound2
	StepRound3
	StepGiveUp // nobody acknowledged any round: the admins are told in the channel
)

// PageRounds is how many times everyone on the shift is paged together
// after the lead: past that, more pages would only be noise, and people
// who can find somebody else (the rotation admins) are told instead.
const PageRounds = int(StepRound3 - StepRound1 + 1)

// Round is the round of a step after the lead (1…PageRounds), else 0.
func (s PageStep) Round() int {
	if s < StepRound1 || s > StepRound3 {
		return 0
	}
	return int(s-StepRound1) + 1
}

// Role is the rotation seat a step pages.
func (s PageStep) Role() Role {
	switch s {
	case StepPrimary:
		return RolePrimary
	case StepBackup:
		return RoleBackup
	case StepLead:
		return RoleLead
	}
	return RoleUnset
}

// String returns "primary", "backup", "lead", "round 1"…, "give up" or "none".
func (s PageStep) String() string {
	switch {
	case s.Round() > 0:
		return fmt.Sprintf("round %d", s.Round())
	case s == StepGiveUp:
		return "give up"
	case s.Role() == RoleUnset:
		return "none"
	}
	return s.Role().String()
}

// Page is a request for a person to look at something now, and how far up
// the ladder it has gone. Step, SteppedAt and Targets change only through
// Advance; AckedBy and AckedAt only through Ack.
type Page struct {
	ID        string
	Text      string // what is wrong, as the person who paged wrote it
	Channel   ChannelID
	Root      PostID // the page's thread
	By        Username
	Issue     IssueKey // the ticket that caused an automatic page, if any
	IssueURL  string   // where a person opens Issue
	Created   time.Time
	Step      PageStep    // the last step paged
	SteppedAt time.Time   // when that step was paged
	Targets   [3]Username // who each step paged ("" when skipped), by step-1
	AckedBy   Username
	AckedAt   time.Time
}

// Acked reports whether somebody acknowledged the page.
func (p Page) Acked() bool { return p.AckedBy != "" }

// Target is who step s paged, or "".
func (p Page) Target(s PageStep) Username {
	if s < StepPrimary || s > StepLead {
		return ""
	}
	return p.Targets[s-1]
}

// PageReason says why NextPageStep decided what it did; it is logged with
// every step. Values only ever grow.
type PageReason int

const (
	ReasonWaiting          PageReason = iota // the paged person still has time to acknowledge
	ReasonFirstPage                          // a new page: page the first person on the ladder
	ReasonAckTimeoutBackup                   // nobody acknowledged in time: page the backup
	ReasonAckTimeoutLead                     // nobody acknowledged in time: page the lead
	ReasonAcked                              // somebody acknowledged: the ladder stops
	ReasonLadderDone                         // everybody on the ladder was paged
	ReasonNobodyToPage                       // the roster has nobody to page this week
	ReasonRound                              // nobody acknowledged the ladder: page everyone together again
	ReasonGiveUp                             // nobody acknowledged any round: tell the admins
)

var pageReasonNames = [...]string{
	ReasonWaiting:          "waiting for acknowledgement",
	ReasonFirstPage:        "first page",
	ReasonAckTimeoutBackup: "not acknowledged in time, paging the backup",
	ReasonAckTimeoutLead:   "not acknowledged in time, paging the lead",
	ReasonAcked:            "acknowledged",
	ReasonLadderDone:       "ladder done",
	ReasonNobodyToPage:     "nobody on the roster to page",
	ReasonRound:            "not acknowledged after the lead, paging everyone on SET together",
	ReasonGiveUp:           "not acknowledged in any round, telling the rotation admins",
}

// String names the reason for logs.
func (r PageReason) String() string {
	if r < 0 || int(r) >= len(pageReasonNames) {
		return fmt.Sprintf("PageReason(%d)", int(r))
	}
	return pageReasonNames[r]
}

// PageDecision is what to do about a page now. When Step is not StepNone,
// page Target for Step now (after claiming the step in the store); Due is
// when to look at the page again (zero: never).
type PageDecision struct {
	Step   PageStep
	Target Username   // the person a ladder step pages (primary, backup, lead)
	All    []Username // everyone a round pages
	Due    time.Time
	Reason PageReason
}

// NextPageStep decides, from the page as stored and the shift on duty now,
// whom to page now or when to look again. It is pure: a restart that reloads
// the page decides the same, so the ladder resumes at the right step and
// time. A step whose seat is empty, or whose person was already paged for
// this page, is skipped. ackWithin <= 0 means DefaultAckWithin.
func NextPageStep(p Page, on Shift, ackWithin time.Duration, now time.Time) PageDecision {
	if ackWithin <= 0 {
		ackWithin = DefaultAckWithin
	}
	if p.Acked() {
		return PageDecision{Reason: ReasonAcked}
	}
	if p.Step >= StepGiveUp {
		return PageDecision{Reason: ReasonLadderDone}
	}
	if p.Step > StepNone {
		if due := p.SteppedAt.Add(ackWithin); now.Before(due) {
			return PageDecision{Due: due, Reason: ReasonWaiting}
		}
	}
	step, target := nextTarget(p, on)
	switch {
	case step == StepNone && p.Step == StepNone:
		return PageDecision{Reason: ReasonNobodyToPage}
	case step == StepNone:
		return nextRound(p, on, ackWithin, now)
	}
	d := PageDecision{Step: step, Target: target, Due: now.Add(ackWithin)}
	switch {
	case p.Step == StepNone:
		d.Reason = ReasonFirstPage
	case step == StepBackup:
		d.Reason = ReasonAckTimeoutBackup
	default:
		d.Reason = ReasonAckTimeoutLead
	}
	return d
}

// nextRound is what comes once the ladder's people were paged: everyone
// on the shift together, round after round, then the admins are told.
func nextRound(p Page, on Shift, ackWithin time.Duration, now time.Time) PageDecision {
	next := max(p.Step, StepLead) + 1
	if all := on.Everyone(); next <= StepRound3 && len(all) > 0 {
		return PageDecision{Step: next, All: all, Due: now.Add(ackWithin), Reason: ReasonRound}
	}
	return PageDecision{Step: StepGiveUp, Reason: ReasonGiveUp}
}

// nextTarget is the first step after p.Step with somebody in its seat who
// was not already paged for p.
func nextTarget(p Page, on Shift) (PageStep, Username) {
	for s := p.Step + 1; s <= StepLead; s++ {
		u := on.Who(s.Role())
		if u == "" || alreadyPaged(p, u) {
			continue
		}
		return s, u
	}
	return StepNone, ""
}

func alreadyPaged(p Page, u Username) bool { return slices.Contains(p.Targets[:], u) }

// Advance records that d's step was paged at now. It returns ok=false, and p
// unchanged, when d pages nobody, p was acknowledged, or p is already at or
// past d's step: the step has been taken (by this process before a restart,
// or by another) and must not be paged twice.
func (p Page) Advance(d PageDecision, now time.Time) (Page, bool) {
	if d.Step == StepNone || d.Step > StepGiveUp || p.Acked() || p.Step >= d.Step {
		return p, false
	}
	p.Step, p.SteppedAt = d.Step, now
	if d.Step <= StepLead {
		p.Targets[d.Step-1] = d.Target
	}
	return p, true
}

// Ack records an acknowledgement. It returns ok=false, and p unchanged, when
// the page was already acknowledged: the first one counts.
func (p Page) Ack(by Username, at time.Time) (Page, bool) {
	if p.Acked() || by == "" {
		return p, false
	}
	p.AckedBy, p.AckedAt = by, at
	return p, true
}

// PageToAck picks the open pages that "@setbot ack" in thread means: the
// page of that thread, else every page that paged the person (paged says
// whether a username is them), newest first, so that several can be asked
// about. It never guesses a page that did not page them: an empty result
// means there is none. open holds unacknowledged pages.
func PageToAck(open []Page, thread PostID, paged func(Username) bool) []Page {
	var mine []Page
	for _, p := range open {
		if p.Acked() {
			continue
		}
		if thread != "" && p.Root == thread {
			return []Page{p}
		}
		if slices.ContainsFunc(p.Targets[:], func(u Username) bool { return u != "" && paged(u) }) {
			mine = append(mine, p)
		}
	}
	slices.SortFunc(mine, func(a, b Page) int { return b.Created.Compare(a.Created) })
	return mine
}

// AckAction is the button action that acknowledges page id. Buttons already
// posted carry it: never change the prefix.
func AckAction(id string) string { return "page:ack:" + id }

// AckButton is the Acknowledge button of a page's posts.
func AckButton(p Page) Button {
	return Button{Label: "Acknowledge", Action: AckAction(p.ID), Style: "primary"}
}

// AckText says who acknowledged and when, in loc.
func AckText(p Page, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf("Acknowledged by @%s at %s (%s after the page). Paging stopped.",
		p.AckedBy, p.AckedAt.In(loc).Format("2006-01-02 15:04 MST"), p.AckedAt.Sub(p.Created).Round(time.Second))
}

// PageHook is the plain JSON sent to the optional outbound webhook for each
// step and for the acknowledgement.
type PageHook struct {
	Page    string    `json:"page_id"`
	Event   string    `json:"event"` // "page" or "ack"
	Step    string    `json:"step,omitempty"`
	Target  string    `json:"target,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Text    string    `json:"text"`
	Issue   string    `json:"issue,omitempty"`
	AckedBy string    `json:"acked_by,omitempty"`
	At      time.Time `json:"at"`
}

// StepHook is the webhook body for a step being paged at now.
func StepHook(p Page, d PageDecision, now time.Time) PageHook {
	target := string(d.Target)
	for _, u := range d.All { // a round pages everyone on the shift
		target = strings.TrimSpace(target + " " + string(u))
	}
	return PageHook{Page: p.ID, Event: "page", Step: d.Step.String(), Target: target,
		Reason: d.Reason.String(), Text: p.Text, Issue: string(p.Issue), At: now}
}

// AckHook is the webhook body for an acknowledgement.
func AckHook(p Page) PageHook {
	return PageHook{Page: p.ID, Event: "ack", Text: p.Text, Issue: string(p.Issue),
		AckedBy: string(p.AckedBy), At: p.AckedAt}
}

// AutoPage reports whether an intake of priority p pages SET by itself:
// always for L1, for L2 when alsoL2 ([escalation] page_l2) is set.
func AutoPage(p Priority, alsoL2 bool) bool { return p == L1 || (alsoL2 && p == L2) }
