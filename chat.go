package setbot

import (
	"context"
	"time"
)

// MaxPostRunes is the most runes a Mattermost post holds.
const MaxPostRunes = 16383

// MaxHeaderRunes is the most runes a Mattermost channel header holds.
const MaxHeaderRunes = 1024

// Chat is what setbot needs from the chat platform. Implemented by package bot.
// Methods are safe for concurrent use. Errors are *Error with EUnavailable when
// retrying can help.
type Chat interface {
	// Post makes a post. Key, when not empty, makes the call idempotent for a
	// while: a second Post with the same key does not make a second post.
	Post(ctx context.Context, r Reply, key string) (PostID, error)
	// FindPost looks for the post made with key in r's place since since
	// (after Post's dedupe by key has expired); found is false when none.
	FindPost(ctx context.Context, r Reply, key string, since time.Time) (id PostID, found bool, err error)
	// Typing shows the typing indicator in a channel (or the DM with to).
	Typing(ctx context.Context, channel ChannelID, to UserID, root PostID) error
	// File downloads an uploaded file, refusing files larger than max bytes.
	File(ctx context.Context, id FileID, max int64) (File, error)
	// Message returns a post by id.
	Message(ctx context.Context, id PostID) (Message, error)
	// User and UserByName look people up.
	User(ctx context.Context, id UserID) (User, error)
	UserByName(ctx context.Context, name Username) (User, error)
	// ChannelByName finds a channel of setbot's team by its name (the part
	// after '~'; a leading '~' is ignored). ENotFound when there is none,
	// EForbidden when setbot is not a member of it.
	ChannelByName(ctx context.Context, name string) (ChannelID, error)
	// Permalink is the URL of a post.
	Permalink(id PostID) string
	// Header and SetHeader read and write a channel header.
	Header(ctx context.Context, channel ChannelID) (string, error)
	SetHeader(ctx context.Context, channel ChannelID, header string) error
	// AddToChannel makes people members of a channel (an incident's, when
	// its ticket is handed over); members already there are fine.
	AddToChannel(ctx context.Context, channel ChannelID, users []UserID) error
}
