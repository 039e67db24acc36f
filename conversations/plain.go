package conversations

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// humanDuration writes d as people say it: "15 min", "2 h", "2 h 30 min",
// "1 day", "1 day 4 h", "3 days". Minutes are dropped once it is a day or
// more; under a minute is "less than a minute". Never Go's "2h0m0s".
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	var parts []string
	switch {
	case days == 1:
		parts = append(parts, "1 day")
	case days > 1:
		parts = append(parts, fmt.Sprintf("%d days", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	return strings.Join(parts, " ")
}

// configKey is a key of setbot's configuration file as another package may
// name it in a person-safe message ("jira.issue_types: …", "(jira.in_progress_status)",
// "[jira.accounts]", "[routing]"). Support engineers do not edit that
// file, so the conversation never shows them its keys.
const configKey = `(?:jira|intake|rotation|routing|store|http|incidents|paging)(?:\.[A-Za-z0-9_]+)+`

var (
	keyPrefix = regexp.MustCompile(`^\s*` + configKey + `\s*:\s*`)
	keyParens = regexp.MustCompile(`\s*\(\s*` + configKey + `\s*\)`)
	// keyTable is a TOML table, bare ones included ("[jira]", "[log]").
	keyTable = regexp.MustCompile(`(?:\bthe\s+)?\[(?:jira|intake|rotation|routing|store|http|incidents|paging|log|mattermost|bot)(?:\.[A-Za-z0-9_]+)*\](?:\s+table)?(?:\s+in\s+setbot's\s+(?:configuration|config|settings))?`)
	// keyBare is a key in running text; it needs an underscore
	// ("jira.in_progress_status") so that host names stay as they are.
	keyBare = regexp.MustCompile(`\b(?:jira|intake|rotation|routing|store|http|incidents|paging)(?:\.[A-Za-z0-9]+)*\.[A-Za-z0-9]*_[A-Za-z0-9_]*`)
)

// PlainWords rewrites a message from another part of setbot (a filing
// failure, a note on a filed ticket) without configuration keys: a key
// that labels the message is dropped, one in parentheses too, and a table
// or key in the text becomes "setbot's settings".
func PlainWords(msg string) string {
	out := keyPrefix.ReplaceAllString(msg, "")
	out = keyParens.ReplaceAllString(out, "")
	out = keyTable.ReplaceAllString(out, "setbot's settings")
	out = keyBare.ReplaceAllString(out, "setbot's settings")
	if out == msg {
		return msg
	}
	r, n := utf8.DecodeRuneInString(out)
	return string(unicode.ToUpper(r)) + out[n:]
}
