package setbot

import (
	"context"
	"slices"
)

// OrderClass is one class of the Kanban order ([order]): its name and the
// JQL fragment that selects its tickets. The seed: work bugs in the order
// hotfix > release > customer > other, and keep the TO DO column so.
type OrderClass struct {
	Name string
	JQL  string
}

// DefaultOrder is [order]'s defaults, highest first.
func DefaultOrder() []OrderClass {
	return []OrderClass{
		{Name: "hotfix", JQL: "labels = hotfix"},
		{Name: "release", JQL: "fixVersion in unreleasedVersions()"},
		{Name: "customer", JQL: "labels = customer-reported"},
	}
}

// OtherClass names the tickets no class selects.
const OtherClass = "other"

// RankedTicket is a TO DO ticket and its class: the index of the first
// OrderClass whose JQL it matches, or the number of classes ("other").
type RankedTicket struct {
	Issue
	Class int
}

// Misplaced is a TO DO ticket out of order: a ticket of a lower class is
// ranked above it. At and Want are its 1-based positions, now and in the
// order it should have.
type Misplaced struct {
	Ticket   RankedTicket
	At, Want int
}

// BoardReader reads the SET project's Kanban TO DO column. Implemented by
// package jira; a Tracker that is not one has no Kanban check.
type BoardReader interface {
	// ToDo returns up to max tickets in the To Do status category, in rank
	// order, each with its class among classes. Errors are *Error like
	// Tracker's.
	ToDo(ctx context.Context, classes []OrderClass, max int) ([]RankedTicket, error)
}

// KanbanOrder checks ts, in rank order, against the class order. want is
// the order they should have: by class, keeping rank order within a
// class. misplaced are the tickets ranked below a ticket of a lower class
// (each needs to move up), in rank order; none when the column is in
// order.
func KanbanOrder(ts []RankedTicket) (misplaced []Misplaced, want []RankedTicket) {
	want = slices.Clone(ts)
	slices.SortStableFunc(want, func(a, b RankedTicket) int { return a.Class - b.Class })
	wantAt := make(map[IssueKey]int, len(want))
	for i, t := range want {
		wantAt[t.Key] = i + 1
	}
	worst := -1 // the highest class number ranked so far
	for i, t := range ts {
		if t.Class < worst {
			misplaced = append(misplaced, Misplaced{Ticket: t, At: i + 1, Want: wantAt[t.Key]})
		}
		worst = max(worst, t.Class)
	}
	return misplaced, want
}

// ClassName is the name of class c among classes.
func ClassName(classes []OrderClass, c int) string {
	if c >= 0 && c < len(classes) {
		return classes[c].Name
	}
	return OtherClass
}
