package setbot

import (
	"context"
	"time"
)

// Issue is a Jira ticket as setbot shows it.
type Issue struct {
	Key     IssueKey
	URL     string // the browse URL a person opens
	Summary string
	Status  string
	// Priority, Assignee, AssigneeName and Updated are filled by listings
	// (TicketLister); other calls may leave them empty.
	Priority Priority
	// Assignee is the assignee's Mattermost username when [jira.accounts]
	// maps their Jira account back to one; AssigneeName is their Jira
	// display name. Both are empty when the ticket is unassigned.
	Assignee     Username
	AssigneeName string
	Updated      time.Time
	// Done is whether its status is in Jira's Done category (closed,
	// resolved, won't do): SET's part is over. Filled by Get and listings.
	Done bool
	// HandedOver is whether the ticket is with another team: it carries
	// the handed-over label that setbot's handover sets, or the component
	// or assignee of a configured handover team. SET stays the contact but
	// is not its owner. Filled by Get and listings.
	HandedOver bool
	// Notes are person-readable sentences about steps that could not be done
	// and need a human (an assignee without a Jira account, a file too large
	// to attach). Empty when everything went through.
	Notes []string
}

// TicketRequest is what filing needs: the intake, who to assign, and file contents.
type TicketRequest struct {
	Intake Intake
	// Assignee is the SET primary's Mattermost username; it is mapped through
	// [jira.accounts], else found by a Jira user search for AssigneeEmail.
	Assignee      Username
	AssigneeEmail string
	Files         []TicketFile // content to attach, in order
}

// TicketFile is a file to attach to a ticket.
type TicketFile struct {
	Name    string
	Content Content
	// Link is the Mattermost link used in the ticket instead when the file is
	// too large for Jira.
	Link string
}

// Tracker files and changes tickets. Implemented by package jira. Safe for
// concurrent use. Errors are *Error: EUnavailable when retrying later can
// help; EInvalid, ENotFound, EForbidden or EUnconfigured with a sentence a
// person can act on otherwise.
type Tracker interface {
	// FileOnce files the intake's ticket exactly once: it first searches for
	// the intake's fingerprint label and returns the existing ticket if there
	// is one (finishing the attach, assign and transition steps where they
	// are missing), else creates it, attaches files, assigns, and transitions
	// it to In Progress.
	FileOnce(ctx context.Context, r TicketRequest) (Issue, error)
	// Similar returns up to max open SET tickets whose summary is like the
	// intake's or that carry the same stack-trace signature, best first.
	Similar(ctx context.Context, in Intake, max int) ([]Issue, error)
	// Comment adds a comment, attaching files first (too-large files are
	// linked in the comment instead).
	Comment(ctx context.Context, key IssueKey, text string, files []TicketFile) error
	// Assign assigns the ticket to user (mapped like TicketRequest.Assignee);
	// an empty user unassigns it.
	Assign(ctx context.Context, key IssueKey, user Username, email string) error
	// SetPriority changes the ticket's priority and its priority label.
	SetPriority(ctx context.Context, key IssueKey, p Priority) error
	// Handover hands the ticket to the owning team as configured, with a
	// comment; SET stays the contact.
	Handover(ctx context.Context, key IssueKey, team string, comment string) error
	// Get returns a ticket.
	Get(ctx context.Context, key IssueKey) (Issue, error)
}

// OnceCommenter is implemented by trackers that can comment exactly once
// per ref: a retry after a lost answer, a timeout or a crash finds the
// comment made with ref and does not make it again. Implemented by package
// jira; a Tracker without it is reached through CommentOnce and
// HandoverOnce, which fall back to Comment and Handover.
type OnceCommenter interface {
	// CommentOnce is Comment made at most once per ref on the ticket: it
	// returns nil without commenting when the ticket already has a comment
	// made with ref, and attaches each file at most once (a file already on
	// the ticket with the same name and size is not uploaded again). ref is
	// the caller's stable name for this comment, the same on every retry
	// (an outbox job's key); it is stored with the comment, unseen by
	// people. Errors are as for Tracker; on EUnavailable, call again with
	// the same ref.
	CommentOnce(ctx context.Context, key IssueKey, ref string, text string, files []TicketFile) error
	// HandoverOnce is Handover whose comment is made at most once per ref;
	// its other steps (component, assignee) may be repeated harmlessly.
	HandoverOnce(ctx context.Context, key IssueKey, ref string, team string, comment string) error
}

// CommentOnce comments through t exactly once per ref when t is a
// OnceCommenter, else with t.Comment (at least once: a retry may repeat it).
func CommentOnce(ctx context.Context, t Tracker, key IssueKey, ref string, text string, files []TicketFile) error {
	if oc, ok := t.(OnceCommenter); ok {
		return oc.CommentOnce(ctx, key, ref, text, files)
	}
	return t.Comment(ctx, key, text, files)
}

// HandoverOnce hands over through t with its comment made once per ref when
// t is a OnceCommenter, else with t.Handover.
func HandoverOnce(ctx context.Context, t Tracker, key IssueKey, ref string, team string, comment string) error {
	if oc, ok := t.(OnceCommenter); ok {
		return oc.HandoverOnce(ctx, key, ref, team, comment)
	}
	return t.Handover(ctx, key, team, comment)
}

// CommentReader is implemented by trackers that can tell when a person last
// commented on a ticket, so that a status update posted straight in Jira
// counts (issue 7). Implemented by package jira.
type CommentReader interface {
	// LastHumanComment returns when the newest comment on the ticket not
	// written by setbot's own Jira account was made, and by whom: by is the
	// author's Mattermost username when [jira.accounts] maps their Jira
	// account back to one, else "". found is false, with no error, when
	// nobody but setbot has commented. Errors are as for Tracker.
	LastHumanComment(ctx context.Context, key IssueKey) (at time.Time, by Username, found bool, err error)
}
