package setbot

import "context"

// Issue is a Jira ticket as setbot shows it.
type Issue struct {
	Key     IssueKey
	URL     string // the browse URL a person opens
	Summary string
	Status  string
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
	Name string
	Data []byte
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
