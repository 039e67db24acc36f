package conversations

import (
	"errors"
	"strconv"
	"time"

	"github.com/setbot/setbot"
)

// StateVersion is the version of State's JSON form. Step refuses a State of
// another version (but accepts the zero State).
const StateVersion = 1

// Phase is where an intake conversation is. Persisted as its string.
type Phase string

const (
	PhaseIdle    Phase = ""        // no intake under way
	PhaseOffered Phase = "offered" // setbot offered to start; waiting for yes or no
	PhaseAsking  Phase = "asking"  // collecting: Current is the open question
	PhaseReview  Phase = "review"  // everything collected; waiting for confirm
	PhaseFiling  Phase = "filing"  // handed to the filer; waiting for Filed (or Added, when AddTo is set)
	// PhaseChecking: everything collected; the dispatcher is looking for
	// similar open SET tickets (Effect.Similar), waiting for SimilarFound.
	PhaseChecking Phase = "checking"
)

// Item names one thing an intake collects; it is also the word `edit` takes.
// Persisted as its string.
type Item string

const (
	ItemPacket   Item = "packet" // confirm what a support packet told us
	ItemSummary  Item = "summary"
	ItemAffected Item = "affected"
	ItemCustomer Item = "customer"
	ItemImpact   Item = "impact"
	ItemType     Item = "type"
	ItemPriority Item = "priority"
	ItemVersion  Item = "version"
	ItemDatabase Item = "database"
	ItemConfig   Item = "config"
	ItemLogs     Item = "logs"
	ItemSymptom  Item = "symptom"
	ItemProfile  Item = "profile"
	ItemDetails  Item = "details"
)

// State is one user's intake conversation. The dispatcher persists it as
// JSON; Version is StateVersion.
type State struct {
	Version int   `json:"version"`
	Phase   Phase `json:"phase,omitempty"`
	// Current is the question asked last, while PhaseAsking.
	Current Item          `json:"current,omitempty"`
	Intake  setbot.Intake `json:"intake"`

	DraftPending  bool   `json:"draft_pending,omitempty"`  // Summary is a draft taken from the first message
	SymptomSet    bool   `json:"symptom_set,omitempty"`    // Intake.Symptom was answered (SymptomNone is an answer)
	LogsDone      bool   `json:"logs_done,omitempty"`      // no more logs coming
	DetailsDone   bool   `json:"details_done,omitempty"`   // the details question was answered
	PacketPending bool   `json:"packet_pending,omitempty"` // packet facts wait for the person's confirmation
	FromPacket    []Item `json:"from_packet,omitempty"`    // items filled from a packet, undone if not confirmed
	Skipped       []Item `json:"skipped,omitempty"`        // optional items skipped

	LastActive time.Time `json:"last_active"`
	Due        time.Time `json:"due,omitempty"`      // when the next Tick is due; zero for none
	Reminded   bool      `json:"reminded,omitempty"` // the reminder was sent; the next Tick expires
	Filings    int       `json:"filings,omitempty"`  // File/Route/Add effects emitted for this intake
	Paged      bool      `json:"paged,omitempty"`    // the Page effect was emitted: SET is paged once per intake

	// Checked is the summary the last similar-ticket search was made for;
	// a new search is made when the summary changed since.
	Checked string `json:"checked,omitempty"`
	// Similar are the open SET tickets that search found (at most
	// MaxSimilar), offered at review.
	Similar []setbot.Issue `json:"similar,omitempty"`
	// AddTo is the ticket the intake is being added to, while PhaseFiling
	// after "Add to KEY"; empty when a new ticket is being filed.
	AddTo setbot.IssueKey `json:"add_to,omitempty"`
}

// Active reports whether an intake is under way (offered, asking, checking,
// in review or being filed): the dispatcher then routes all of the user's DMs to Step.
func (s State) Active() bool { return s.Phase != PhaseIdle }

// NextTick is when the dispatcher must deliver a Tick input (reminder or
// expiry); zero when none is due.
func (s State) NextTick() time.Time { return s.Due }

// FileKey is the idempotency key of the File, Route or Add effect the last Step
// emitted: the intake's id and how many times it was handed over (a new
// attempt follows only a FilingFailed).
func (s State) FileKey() string {
	return "intake:" + s.Intake.ID + ":" + strconv.Itoa(s.Filings)
}

// ErrNotIntake is returned by Step for a DM that is not for the intake
// conversation (no intake under way, and the text does not read like a
// problem). The State is unchanged; the dispatcher answers the DM itself.
var ErrNotIntake = errors.New("conversations: not an intake message")

func (s State) skipped(it Item) bool {
	for _, x := range s.Skipped {
		if x == it {
			return true
		}
	}
	return false
}
