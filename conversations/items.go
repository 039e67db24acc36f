package conversations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// Limits on what a person types, with their sources.
const (
	// MaxSummaryRunes: Jira's summary field holds at most 255 characters.
	MaxSummaryRunes = 255
	// MaxAnswerRunes bounds a short answer (affected, customer, impact…).
	MaxAnswerRunes = 2000
	// MaxDescriptionRunes: Jira's text fields hold 32,767 characters; leave
	// room for what the filer adds.
	MaxDescriptionRunes = 30000
	// maxEchoRunes bounds one answer repeated in a review or status post so
	// that the post stays under setbot.MaxPostRunes.
	maxEchoRunes = 600
	// maxEchoDetails bounds the description repeated in a review.
	maxEchoDetails = 3000
)

// item is one question of the intake: how to ask it, whether it applies and
// is answered, and how to take an answer typed as text.
type item struct {
	name     Item
	label    string // as shown in status and review
	optional bool
	// why is said on `skip` of a required item: why SET needs it and what to
	// do when it cannot be had.
	why    string
	needed func(s *State) bool
	done   func(s *State) bool
	ask    func(s *State) (string, []setbot.Button)
	answer func(s *State, text string) (note string, err error) // nil: answered by files or buttons only
	show   func(s *State) string                                // the value, quoted for a post
	clear  func(s *State)                                       // edit of a file item starts over
}

// items in the order they are asked.
var items []*item

func init() {
	items = []*item{
		packetItem, summaryItem, affectedItem, customerItem, impactItem, typeItem, priorityItem,
		versionItem, databaseItem, configItem, logsItem, symptomItem, profileItem, detailsItem,
	}
}

func lookup(name Item) *item {
	for _, it := range items {
		if it.name == name {
			return it
		}
	}
	return nil
}

func always(*State) bool { return true }

// forSET is true for items SET needs and a routed intake does not.
func forSET(s *State) bool { return !routed(s.Intake) }

// routed reports whether an intake leaves SET (the seed's Workflow step 2):
// a feature request, or a low-urgency (L4) bug or question.
func routed(in setbot.Intake) bool {
	return in.Type == setbot.TypeFeature || (in.Type != setbot.TypeUnset && in.Priority == setbot.L4)
}

func errf(format string, args ...any) error { return setbot.Errorf(setbot.EInvalid, format, args...) }

// textItem is an item answered by free text.
func textItem(name Item, label, question, example string, field func(*setbot.Intake) *string, check func(string) error) *item {
	return &item{
		name:   name,
		label:  label,
		why:    "SET needs it to know where to start.",
		needed: always,
		done:   func(s *State) bool { return *field(&s.Intake) != "" },
		ask: func(s *State) (string, []setbot.Button) {
			return question + " For example: " + example, nil
		},
		answer: func(s *State, text string) (string, error) {
			if check != nil {
				if err := check(text); err != nil {
					return "", err
				}
			}
			v, cut := setbot.Truncate(text, MaxAnswerRunes)
			*field(&s.Intake) = v
			if cut {
				return fmt.Sprintf("That was long; I kept the first %d characters. Put the rest in the details.", MaxAnswerRunes), nil
			}
			return "", nil
		},
		show: func(s *State) string { return clip(Quote(*field(&s.Intake)), maxEchoRunes) },
	}
}

var summaryItem = &item{
	name:   ItemSummary,
	label:  "Summary",
	why:    "the summary is the ticket's title: SET triages by it.",
	needed: always,
	done:   func(s *State) bool { return s.Intake.Summary != "" && !s.DraftPending },
	ask: func(s *State) (string, []setbot.Button) {
		if s.DraftPending {
			return "I took this from your message as the ticket's one-line summary:\n" + QuoteBlock(s.Intake.Summary) +
					"\nReply `ok` to keep it, or send a better one line.",
				[]setbot.Button{{Label: "Keep it", Action: "intake:keep", Style: "primary"}}
		}
		return "In one line, what is wrong? For example: `Web app takes 30 s to open channels with 10k members since 10.11`", nil
	},
	answer: func(s *State, text string) (string, error) {
		if s.DraftPending && isYes(text) {
			s.DraftPending = false
			return "", nil
		}
		if readReply(text) != replyOther || len(strings.Fields(text)) < 2 {
			return "", errf("Say in a few words what is wrong. For example: `Login fails with error 500 for LDAP users`")
		}
		s.DraftPending = false
		return setSummary(s, text), nil
	},
	show: func(s *State) string { return Quote(s.Intake.Summary) },
}

// setSummary takes the first line of text as the summary, cut to Jira's
// limit, and keeps the whole text in the description when it was longer.
func setSummary(s *State, text string) string {
	line, rest, multi := strings.Cut(strings.TrimSpace(text), "\n")
	sum, cut := setbot.Truncate(strings.TrimSpace(line), MaxSummaryRunes)
	s.Intake.Summary = sum
	if !multi && !cut {
		return ""
	}
	if !strings.Contains(s.Intake.Description, strings.TrimSpace(rest)) || s.Intake.Description == "" {
		addDescription(s, text)
	}
	return fmt.Sprintf("A summary is one line of at most %d characters, so I used the start of your text and kept all of it in the details.", MaxSummaryRunes)
}

func addDescription(s *State, text string) {
	d := strings.TrimSpace(text)
	if s.Intake.Description != "" {
		d = s.Intake.Description + "\n\n" + d
	}
	s.Intake.Description, _ = setbot.Truncate(d, MaxDescriptionRunes)
}

// vagueSlow catches "it is slow" without saying what is slow.
var (
	slowWords = regexp.MustCompile(`(?i)\b(slow|slowness|lag|laggy|performance|sluggish)\b`)
	partWords = regexp.MustCompile(`(?i)\b(server|web|webapp|browser|desktop|mobile|ios|android|app|api|request|endpoint|login|log in|search|channel|channels|post|posts|message|messages|upload|file|files|plugin|thread|threads|notification|notifications|websocket|database|db|sso|ldap|saml|calls|playbooks|boards|startup|sidebar|team|teams|import|export|/api/)\b`)
	vague     = regexp.MustCompile(`(?i)^\s*(it|mattermost|everything|all|all of it|the system|the product|the app|slow|mattermost is slow|it is slow|it's slow)\s*[.!]*\s*$`)
)

func checkAffected(text string) error {
	if vague.MatchString(text) || (slowWords.MatchString(text) && !partWords.MatchString(text)) {
		return errf("Say which part: the server, the web app, desktop, mobile, a particular API request or feature. If Mattermost is slow, say what is slow.")
	}
	return nil
}

var countWords = regexp.MustCompile(`(?i)\d|\b(all|every|everyone|everybody|most|many|some|few|several|one|two|three|single|nobody|whole|entire|users?)\b`)

// checkCustomer wants a user count, except for a community server, whose
// users are everyone on it.
func checkCustomer(text string) error {
	if !countWords.MatchString(text) && !isCommunity(text) {
		return errf("Please say how many users are affected too. For community.mattermost.com or community-daily, say `community`.")
	}
	return nil
}

var (
	affectedItem = textItem(ItemAffected, "Affected",
		"What exactly is affected: the server, the web app, desktop, mobile, a particular API request or feature? If it is slow, say what is slow.",
		"`web app: opening a channel (GET /api/v4/channels/{id}/posts takes 30 s)`",
		func(in *setbot.Intake) *string { return &in.Affected }, checkAffected)
	customerItem = withCommunity(textItem(ItemCustomer, "Customer",
		"Which customer, and how many users are affected?", "`Acme Corp, about 2,000 of 5,000 users`",
		func(in *setbot.Intake) *string { return &in.Customer }, checkCustomer))
	impactItem = textItem(ItemImpact, "Impact",
		"What can those users not do?", "`nobody can log in on mobile since the upgrade; no workaround`",
		func(in *setbot.Intake) *string { return &in.Impact }, nil)
)

var typeItem = &item{
	name:   ItemType,
	label:  "Type",
	why:    "it decides whether SET works on it or it goes to another team.",
	needed: always,
	done:   func(s *State) bool { return s.Intake.Type != setbot.TypeUnset },
	ask: func(s *State) (string, []setbot.Button) {
		return "Is it a bug, a feature request, or a question?", []setbot.Button{
			{Label: "Bug", Action: "intake:type:bug"},
			{Label: "Feature request", Action: "intake:type:feature"},
			{Label: "Question", Action: "intake:type:question"},
		}
	},
	answer: func(s *State, text string) (string, error) {
		t, ok := parseType(text)
		if !ok {
			return "", errf("Answer `bug`, `feature request` or `question`.")
		}
		s.Intake.Type = t
		return "", nil
	},
	show: func(s *State) string { return s.Intake.Type.String() },
}

func parseType(text string) (setbot.IssueType, bool) {
	switch strings.Trim(strings.ToLower(strings.TrimSpace(text)), ".!") {
	case "bug", "a bug", "defect", "b":
		return setbot.TypeBug, true
	case "feature", "feature request", "a feature request", "fr", "enhancement", "f":
		return setbot.TypeFeature, true
	case "question", "a question", "q":
		return setbot.TypeQuestion, true
	}
	return setbot.TypeUnset, false
}

var priorityItem = &item{
	name:   ItemPriority,
	label:  "Priority",
	why:    "SET works in priority order, and L1/L2 need the support incident playbook.",
	needed: always,
	done:   func(s *State) bool { return s.Intake.Priority.Valid() },
	ask: func(s *State) (string, []setbot.Button) {
		var b strings.Builder
		b.WriteString("Which priority, by the support service levels?")
		var buttons []setbot.Button
		for p := setbot.L1; p <= setbot.L4; p++ {
			fmt.Fprintf(&b, "\n- **%s** %s", p, p.Describe())
			buttons = append(buttons, setbot.Button{Label: p.String(), Action: "intake:priority:" + p.String()})
		}
		return b.String(), buttons
	},
	answer: func(s *State, text string) (string, error) {
		p, err := setbot.ParsePriority(text)
		if err != nil {
			return "", errf("Answer L1, L2, L3 or L4, for example `L2`.")
		}
		s.Intake.Priority = p
		return "", nil
	},
	show: func(s *State) string { return s.Intake.Priority.String() + " (" + s.Intake.Priority.Describe() + ")" },
}

var versionItem = &item{
	name:   ItemVersion,
	label:  "Mattermost version",
	why:    "SET reproduces on the same version, and many problems are already fixed in a later one. System Console > About shows it.",
	needed: forSET,
	done:   func(s *State) bool { return s.Intake.Version != "" },
	ask: func(s *State) (string, []setbot.Button) {
		return "Which Mattermost version? For example: `10.11.4`, `v9.5`, `11.0.0-rc2` or `10.5 ESR`.", nil
	},
	answer: func(s *State, text string) (string, error) {
		v, err := artifacts.ParseVersion(text)
		if err != nil {
			return "", err
		}
		s.Intake.Version = v
		return "", nil
	},
	show: func(s *State) string { return Quote(s.Intake.Version) },
}

var databaseItem = &item{
	name:   ItemDatabase,
	label:  "Database",
	why:    "queries, locks and limits differ between PostgreSQL and MySQL and between their versions. `SELECT version();` shows it.",
	needed: forSET,
	done:   func(s *State) bool { return s.Intake.Database.Type != "" && s.Intake.Database.Version != "" },
	ask: func(s *State) (string, []setbot.Button) {
		if t := s.Intake.Database.Type; t != "" {
			return "Which " + t + " version? For example: `15.4`.", nil
		}
		return "Which database, and which version? For example: `PostgreSQL 15.4` or `MySQL 8.0.32`.", nil
	},
	answer: func(s *State, text string) (string, error) {
		if t := s.Intake.Database.Type; t != "" && dbVersionOnly.MatchString(text) {
			s.Intake.Database.Version = strings.TrimPrefix(strings.TrimSpace(text), "v")
			return "", nil
		}
		db, err := artifacts.ParseDatabase(text)
		if db.Type != "" {
			s.Intake.Database = db
		}
		return "", err
	},
	show: func(s *State) string {
		return Quote(strings.TrimSpace(s.Intake.Database.Type + " " + s.Intake.Database.Version))
	},
}

var dbVersionOnly = regexp.MustCompile(`^\s*v?\d+(\.\d+){0,2}\s*$`)
