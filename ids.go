package setbot

// Identifiers are distinct types so that a user id is never passed where a
// channel id is expected.
type (
	// UserID is a Mattermost user id.
	UserID string
	// Username is a Mattermost username, without the leading '@'.
	Username string
	// ChannelID is a Mattermost channel id.
	ChannelID string
	// TeamID is a Mattermost team id.
	TeamID string
	// PostID is a Mattermost post id.
	PostID string
	// FileID is a Mattermost file id.
	FileID string
	// IssueKey is a Jira issue key such as "SET-123".
	IssueKey string
)
