package setbot

import (
	"regexp"
	"time"
)

// Watched is a top-level post waiting for its first answer: in
// ~sustained-engineering, by someone not on SET, for a SET member's reply;
// in ~ask-r-and-d, for anyone's reply but the asker's.
type Watched struct {
	Post     PostID
	Channel  ChannelID
	Poster   UserID
	At       time.Time
	Excerpt  string   // the post's first words, for the ~Ask R&D sweep's list
	Level    Priority // L1/L2 when the post names it; else unset
	Answered bool
	// AnsweredAt is when SET first answered a ~sustained-engineering post
	// (zero when unknown).
	AnsweredAt time.Time
	Nudges     int      // mentions sent so far: 1 the primary, 2 the backup too
	Taken      Username // who pressed Taken in the ~Ask R&D sweep
	// Intake marks setbot's own announcement of a ticket filed through an
	// intake, watched from the filing for the week records' time to first
	// response; it is never nudged or listed.
	Intake bool
}

// WatchPolicy is when a watched post without an answer gets a nudge
// ([watch] first_response and hours, [watch.targets]).
type WatchPolicy struct {
	FirstResponse time.Duration // 0: the watch is off
	Hours         Hours
	Location      *time.Location
	// Targets are the first-response targets of L1 and L2 posts; their
	// clocks run around the clock (priority-levels.md: weekend coverage
	// for L1 and L2), and never wait longer than FirstResponse.
	Targets map[Priority]time.Duration
	// AskAfter is how old an unanswered ~Ask R&D question is when the
	// sweep lists it; AskSweep the weekday times of day (since midnight in
	// Location) of the sweep; none: no sweep.
	AskAfter time.Duration
	AskSweep []time.Duration
}

// DefaultWatchTargets are the Premier initial-response targets of
// priority-levels.md for L1 and L2.
var DefaultWatchTargets = map[Priority]time.Duration{L1: time.Hour, L2: 2 * time.Hour}

// NudgeAt is when nudge n (1: the primary, 2: the backup too, at twice the
// target) is due for w.
func (p WatchPolicy) NudgeAt(w Watched, n int) time.Time {
	target := p.FirstResponse
	if t, ok := p.Targets[w.Level]; ok && w.Level.Urgent() {
		return w.At.Add(time.Duration(n) * min(t, target))
	}
	return p.Hours.Add(w.At, time.Duration(n)*target, p.Location)
}

// urgentWord finds L1/L2 (or P1/P2) named as a word in a post.
var urgentWord = regexp.MustCompile(`(?i)(?:^|[^\pL\pN_-])([lp][12])(?:$|[^\pL\pN_-])`)

// NamedLevel is L1 or L2 when text names one of them as a word (the
// highest if both), else PriorityUnset.
func NamedLevel(text string) Priority {
	best := PriorityUnset
	for _, m := range urgentWord.FindAllStringSubmatch(text, -1) {
		p, err := ParsePriority(m[1])
		if err == nil && (best == PriorityUnset || p < best) {
			best = p
		}
	}
	return best
}
