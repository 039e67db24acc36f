package conversations

import (
	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// InputKind says what happened. Values only grow.
type InputKind int

const (
	Text         InputKind = iota + 1 // a DM from the user
	Files                             // a DM with files (Text may carry its caption)
	Click                             // a button press (Action)
	Tick                              // the time NextTick asked for has come
	Start                             // `@setbot ticket` in a channel thread
	Filed                             // the filer filed the ticket (Issue)
	FilingFailed                      // filing failed for good (Reason)
	Queued                            // filing is delayed and will be retried (Reason)
	SimilarFound                      // the similar-ticket search is done (Issues; none on error or timeout)
	Added                             // the intake was added to an existing ticket (Issue)
)

// MaxSimilar is how many similar open tickets are offered at review: three
// links fit in one glance (the issue asks for up to three).
const MaxSimilar = 3

// Input is one event for the intake conversation.
type Input struct {
	Kind InputKind
	Text string // Text; a caption with Files
	// Files were downloaded (at most artifacts.MaxUploadBytes each) and
	// checked by the dispatcher with artifacts.Check; the blobs they carry
	// are stored in the same transaction as the State.
	Files  []artifacts.Checked
	Action string // Click: the Button.Action setbot put on the button

	User     setbot.UserID
	Username setbot.Username

	// Start: the thread's root post, its permalink, and where to post back.
	Prefill    string
	Permalink  string
	Origin     setbot.ChannelID
	OriginRoot setbot.PostID

	Issue  setbot.Issue // Filed, Added
	Reason string       // FilingFailed, Queued: a person-safe sentence
	// Issues are the similar open tickets found, best first (SimilarFound).
	Issues []setbot.Issue
	// IntakeID, when set, names the intake an outcome (SimilarFound,
	// Added) is for; an outcome for another intake is ignored.
	IntakeID string
}

// Effect is one thing the dispatcher does after committing the State.
// Exactly one field is set.
type Effect struct {
	Say    *Say           // a post in the user's DM with the bot
	File   *setbot.Intake // file this intake with SET (key: State.FileKey)
	Thread *ThreadPost    // a post in the thread the intake came from
	Route  *setbot.Intake // file this intake with the team it is routed to, not SET (key: State.FileKey)
	// Similar asks for up to MaxSimilar open SET tickets like this intake,
	// outside the store transaction; the answer comes back as a
	// SimilarFound input (with no Issues on an error or timeout).
	Similar *setbot.Intake
	// Add adds this intake to an existing ticket (a comment with its
	// description and files; key: State.FileKey); the answer comes back
	// as Added, or FilingFailed / Queued.
	Add *AddTo
	// Page pages SET now about this intake, as far as it is known (it
	// just became urgent); the dispatcher pages at most once per intake.
	Page *setbot.Intake
}

// AddTo is an intake to add to an existing ticket instead of filing one.
type AddTo struct {
	Issue  setbot.Issue
	Intake setbot.Intake
}

// Say is a post in the user's DM. Every button's Action starts "intake:";
// each has a text fallback that Step accepts too.
type Say struct {
	Text    string
	Buttons []setbot.Button
}

// ThreadPost is a reply in a channel thread.
type ThreadPost struct {
	Channel setbot.ChannelID
	Root    setbot.PostID
	Text    string
}
