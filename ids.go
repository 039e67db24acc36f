package setbot

import (
	"regexp"
	"strings"
)

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

// issueKeyPattern is Jira's default project key format (an upper-case letter,
// then letters, digits or underscores) and an issue number.
var issueKeyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,254}-[1-9][0-9]{0,17}$`)

// ParseIssueKey reads a Jira issue key as typed ("set-12", "[SET-12]" and
// "SET-12." are SET-12). Errors are EInvalid with a sentence.
func ParseIssueKey(s string) (IssueKey, error) {
	k := strings.ToUpper(strings.Trim(strings.TrimSpace(s), "`[]()<>.,;:"))
	if !issueKeyPattern.MatchString(k) {
		shown := strings.ReplaceAll(s, "`", "'")
		if r := []rune(shown); len(r) > 40 {
			shown = string(r[:40]) + "…"
		}
		return "", Errorf(EInvalid, "%q is not a Jira issue key: write it like `SET-123`.", shown)
	}
	return IssueKey(k), nil
}
