package setbot

import "time"

// IssueType is what kind of ticket an intake becomes. Persisted; values only grow.
type IssueType int

const (
	TypeUnset IssueType = iota
	TypeBug
	TypeFeature  // a feature request: routed away from SET
	TypeQuestion // a question: answered, or routed away when low urgency
)

// String returns "bug", "feature request", "question" or "unset".
func (t IssueType) String() string {
	switch t {
	case TypeBug:
		return "bug"
	case TypeFeature:
		return "feature request"
	case TypeQuestion:
		return "question"
	}
	return "unset"
}

// Symptom selects which diagnostic artifact an intake needs. Persisted; values only grow.
type Symptom int

const (
	SymptomNone   Symptom = iota // none of the below
	SymptomCPU                   // high CPU: a CPU profile is required
	SymptomMemory                // memory growth: a heap profile is required
	SymptomHang                  // stuck or hanging: a goroutine dump is required
)

// String names the symptom.
func (s Symptom) String() string {
	switch s {
	case SymptomCPU:
		return "high CPU"
	case SymptomMemory:
		return "memory growth"
	case SymptomHang:
		return "stuck or hanging"
	}
	return "none"
}

// ArtifactKind says what an uploaded file was recognised as. Persisted; values only grow.
type ArtifactKind int

const (
	ArtifactUnknown ArtifactKind = iota
	ArtifactConfig
	ArtifactLog
	ArtifactCPUProfile
	ArtifactHeapProfile
	ArtifactStackDump
	ArtifactSupportPacket
)

// Attachment is a file collected by an intake. The original stays in
// Mattermost (FileID); when setbot had to change it (a redacted config) the
// changed copy is kept in the store under BlobKey.
type Attachment struct {
	Kind     ArtifactKind
	Name     string
	FileID   FileID
	Size     int64
	BlobKey  string   // store blob of the copy to send instead of the original
	Redacted []string // setting names whose values were replaced
	Note     string   // what was checked, shown in the ticket
}

// Database is the database a Mattermost installation runs on.
type Database struct {
	Type    string // "PostgreSQL" or "MySQL"
	Version string
}

// Intake is everything a support engineer told setbot about one escalation.
// It is the payload of a "file this ticket" request.
type Intake struct {
	ID       string // stable, unique; the basis of the ticket's fingerprint label
	Reporter UserID
	Username Username
	Summary  string
	// Description is the problem as first told (the thread's root post, the
	// first DM) and anything else the reporter added: steps, errors, tries.
	Description string
	Affected    string // what exactly is affected: server, web app, desktop, mobile, an API request…
	Customer    string
	// Labels are Jira labels the intake asks for besides the filer's own,
	// e.g. "community" for a problem on a community server.
	Labels    []string
	Impact    string
	Priority  Priority
	Type      IssueType
	Version   string
	Database  Database
	Symptom   Symptom
	Config    *Attachment
	NoConfig  string // why no configuration is available, when Config is nil
	Logs      []Attachment
	NoLogs    string       // why no logs are available, when Logs is empty
	Profiles  []Attachment // CPU, heap profiles and stack dumps as the symptom needs
	NoProfile string       // why the profile the symptom needs is not available
	// Packet is the support packet, when one was given. It is a record
	// only: what setbot took out of it (the redacted configuration, logs,
	// profiles) is in Config, Logs and Profiles with BlobKeys. Never attach
	// the packet itself: it may hold settings setbot did not redact.
	Packet     *Attachment
	Permalink  string    // where the escalation started, when in a channel
	Origin     ChannelID // the channel thread the intake came from, if any
	OriginRoot PostID
	Started    time.Time
	Confirmed  time.Time
}

// Fingerprint is the label that identifies the ticket filed for this intake,
// so that a retry can find a ticket whose creation outcome is unknown.
func (in Intake) Fingerprint() string { return "setbot-" + in.ID }
