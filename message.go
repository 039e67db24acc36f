package setbot

import (
	"strings"
	"time"
)

// ChannelKind says what a channel is to setbot. Persisted; values only grow.
type ChannelKind int

const (
	ChannelOther ChannelKind = iota // a channel setbot does not serve
	ChannelDM                       // a direct message with the bot
	ChannelSET                      // ~sustained-engineering
	ChannelAsk                      // ~ask-r-and-d
)

// Message is a post somebody made where setbot listens.
type Message struct {
	ID        PostID
	ChannelID ChannelID
	Kind      ChannelKind
	RootID    PostID // the thread's root; empty when the post is a root itself
	UserID    UserID
	Username  Username
	Text      string
	FileIDs   []FileID
	Mentioned bool // the post mentions the bot
	FromBot   bool // not a person's word: a bot (setbot included), a webhook, or a post showing another name
	At        time.Time
}

// ThreadID is the post a reply to m belongs under: its root, or m itself.
func (m Message) ThreadID() PostID {
	if m.RootID != "" {
		return m.RootID
	}
	return m.ID
}

// Button is an interactive action attached to a post. Action is what a click
// means to setbot ("intake:confirm", "page:ack:<page>"); it is signed before it leaves
// setbot and verified when the click comes back.
type Button struct {
	Label  string
	Action string
	Style  string // "primary", "danger" or "" for default
}

// Reply is a post setbot makes. ChannelID names the channel; when it is empty,
// To names the user whose DM with the bot receives it.
type Reply struct {
	ChannelID ChannelID
	To        UserID
	RootID    PostID
	Text      string
	Buttons   []Button
	// Files are uploaded and attached to the post (a chart).
	Files []ReplyFile `json:",omitempty"`
}

// ReplyFile is a file setbot made and attaches to a post.
type ReplyFile struct {
	Name string
	Data []byte
}

// Click is a button press delivered back to setbot, already verified.
type Click struct {
	UserID    UserID
	Username  Username
	PostID    PostID
	ChannelID ChannelID
	Action    string
}

// User is a Mattermost account as setbot needs it.
type User struct {
	ID       UserID
	Username Username
	Email    string
	IsBot    bool
	Deleted  bool
}

// File is an uploaded file with its content.
type File struct {
	ID       FileID
	Name     string
	Size     int64 // as Mattermost reports it, also when the download failed
	MimeType string
	// Content is what was downloaded. A large file is in a temporary file
	// (Content.Path) that the caller of Chat.File removes.
	Content Content
}

// Unmention makes text from a person or from Jira safe to repeat in a post:
// a zero-width joiner after every '@' stops Mattermost from reading a
// mention (@channel, @all, @here, @user) while the text looks the same.
func Unmention(s string) string { return strings.ReplaceAll(s, "@", "@\u200d") }

// fitNote ends a post that had to be cut to fit.
const fitNote = "\n\n… _(shortened to fit in one post)_"

// FitPost cuts text to what one Mattermost post holds (MaxPostRunes), on a
// rune boundary, ending with a note that says so. It never leaves a
// dangling Markdown escape (an odd run of backslashes) before the note.
func FitPost(text string) string {
	r := []rune(text)
	if len(r) <= MaxPostRunes {
		return text
	}
	r = r[:MaxPostRunes-len([]rune(fitNote))]
	n := 0
	for i := len(r) - 1; i >= 0 && r[i] == '\\'; i-- {
		n++
	}
	if n%2 == 1 {
		r = r[:len(r)-1]
	}
	return string(r) + fitNote
}
